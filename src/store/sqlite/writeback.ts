import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { FieldValues, ObjectKind } from '../../contract/connector.ts';
import { fieldValueSchema, fieldValuesSchema, writeErrorKindSchema, writeStatusSchema } from '../codecs.ts';
import { DATA_RULES } from '../data-rules.ts';
import type { FieldConflict, FieldMemory, InFlightResolution, InFlightWrite, NewQuarantineEntry, QuarantineEntry } from '../types.ts';

const inFlightRow = z.object({
  run_id: z.string(), account_id: z.string(), chunk: z.number(), fields_json: z.string(), previous_json: z.string(),
  status: writeStatusSchema, error_kind: writeErrorKindSchema.nullable(), code: z.string().nullable(), message: z.string().nullable(),
});
const memoryRow = z.object({ account_id: z.string(), field: z.string(), value_json: z.string(), run_id: z.string(), written_at: z.string() });
const conflictRow = z.object({
  account_id: z.string(), field: z.string(), current_json: z.string(), kamflow_json: z.string(), proposed_json: z.string(),
  changed_by: z.string().nullable(), changed_at: z.string().nullable(),
  source: z.enum(['memory', 'never-written', 'field-history', 'last-modified-by', 'later-run']), resolution: z.enum(['kept', 'overwritten']),
});
const quarantineRow = z.object({
  account_id: z.string(), run_id: z.string(), code: z.string().nullable(), message: z.string().nullable(), fields_json: z.string(),
  attempts: z.number(), first_failed_at: z.string(), failed_at: z.string(), retry_after: z.string(), record_stamp: z.string().nullable(), config_key: z.string(),
});
const jobRow = z.object({ job_id: z.string(), run_id: z.string(), created_at: z.string() });

const value = (json: string): FieldMemory['value'] => fieldValueSchema.parse(JSON.parse(json));

/**
 * What keeps write-back honest between runs: Kamflow's memory of what it wrote, the writes in
 * flight when a run stopped, field conflicts, the quarantine of refused writes, remote jobs.
 */
export class WritebackTables {
  constructor(private readonly db: Database.Database) {}

  /** Remembers confirmed values (inside the caller's transaction). */
  remember(connectionId: string, accountId: string, fields: FieldValues, runId: string, at: string): void {
    const upsert = this.db.prepare(
      `INSERT INTO field_memory (connection_id, account_id, field, value_json, run_id, written_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (connection_id, account_id, field) DO UPDATE SET value_json = excluded.value_json, run_id = excluded.run_id, written_at = excluded.written_at`,
    );
    for (const [field, v] of Object.entries(fields)) if (v !== undefined) upsert.run(connectionId, accountId, field, JSON.stringify(v), runId, at);
  }

  inFlight(connectionId: string): InFlightWrite[] {
    const rows = this.db
      .prepare(`SELECT w.* FROM run_writes w JOIN runs r ON r.id = w.run_id
                WHERE w.status = 'sending' AND r.connection_id = ? ORDER BY r.started_at, r.rowid, w.chunk, w.account_id`)
      .all(connectionId) as unknown[];
    return rows.map((raw) => {
      const r = inFlightRow.parse(raw);
      return {
        runId: r.run_id, accountId: r.account_id, chunk: r.chunk,
        fields: fieldValuesSchema.parse(JSON.parse(r.fields_json)), previous: fieldValuesSchema.parse(JSON.parse(r.previous_json)),
        status: r.status, errorKind: r.error_kind, code: r.code, message: r.message,
      };
    });
  }

  resolveInFlight(connectionId: string, resolutions: InFlightResolution[], at: string): void {
    const select = this.db.prepare("SELECT fields_json FROM run_writes WHERE run_id = ? AND account_id = ? AND status = 'sending'");
    const update = this.db.prepare('UPDATE run_writes SET status = ?, error_kind = ?, code = ?, message = ? WHERE run_id = ? AND account_id = ?');
    this.db.transaction(() => {
      for (const r of resolutions) {
        const row = select.get(r.runId, r.accountId) as { fields_json: string } | undefined;
        if (!row) continue;
        update.run(r.applied ? 'ok' : 'failed', r.applied ? null : 'transient', r.code, r.message, r.runId, r.accountId);
        if (r.applied) this.remember(connectionId, r.accountId, fieldValuesSchema.parse(JSON.parse(row.fields_json)), r.runId, at);
      }
    }).immediate();
  }

  memory(connectionId: string): FieldMemory[] {
    const rows = this.db.prepare('SELECT account_id, field, value_json, run_id, written_at FROM field_memory WHERE connection_id = ? ORDER BY account_id, field').all(connectionId) as unknown[];
    return rows.map((raw) => {
      const r = memoryRow.parse(raw);
      return { accountId: r.account_id, field: r.field, value: value(r.value_json), runId: r.run_id, writtenAt: r.written_at };
    });
  }

  stamps(connectionId: string, object: ObjectKind, ids: string[]): Record<string, string | null> {
    const out: Record<string, string | null> = {};
    const get = this.db.prepare('SELECT stamp FROM mirror WHERE connection_id = ? AND object = ? AND id = ?');
    for (const id of ids) {
      const row = get.get(connectionId, object, id) as { stamp: string | null } | undefined;
      if (row) out[id] = row.stamp;
    }
    return out;
  }

  addConflicts(runId: string, conflicts: FieldConflict[]): void {
    const row = this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM field_conflicts WHERE run_id = ?').get(runId) as { seq: number };
    const insert = this.db.prepare(
      `INSERT INTO field_conflicts (run_id, seq, account_id, field, current_json, kamflow_json, proposed_json, changed_by, changed_at, source, resolution)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      let seq = row.seq;
      for (const c of conflicts) {
        insert.run(runId, ++seq, c.accountId, c.field, JSON.stringify(c.current), JSON.stringify(c.kamflowValue), JSON.stringify(c.proposed), c.changedBy, c.changedAt, c.source, c.resolution);
      }
    })();
  }

  conflicts(runId: string): FieldConflict[] {
    return (this.db.prepare('SELECT * FROM field_conflicts WHERE run_id = ? ORDER BY seq').all(runId) as unknown[]).map((raw) => {
      const r = conflictRow.parse(raw);
      return {
        accountId: r.account_id, field: r.field, current: value(r.current_json), kamflowValue: value(r.kamflow_json), proposed: value(r.proposed_json),
        changedBy: r.changed_by, changedAt: r.changed_at, source: r.source, resolution: r.resolution,
      };
    });
  }

  quarantine(connectionId: string, entries: NewQuarantineEntry[]): void {
    const upsert = this.db.prepare(
      `INSERT INTO quarantine (connection_id, account_id, run_id, code, message, fields_json, attempts, first_failed_at, failed_at, retry_after, record_stamp, config_key)
       VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)
       ON CONFLICT (connection_id, account_id) DO UPDATE SET run_id = excluded.run_id, code = excluded.code, message = excluded.message,
         fields_json = excluded.fields_json, attempts = quarantine.attempts + 1, failed_at = excluded.failed_at, retry_after = excluded.retry_after,
         record_stamp = excluded.record_stamp, config_key = excluded.config_key`,
    );
    this.db.transaction(() => {
      for (const e of entries) {
        upsert.run(connectionId, e.accountId, e.runId, e.code, e.message, JSON.stringify(e.fields), e.failedAt, e.failedAt, e.retryAfter, e.recordStamp, e.configKey);
      }
    })();
  }

  release(connectionId: string, accountIds: string[]): void {
    const remove = this.db.prepare('DELETE FROM quarantine WHERE connection_id = ? AND account_id = ?');
    this.db.transaction(() => {
      for (const id of accountIds) remove.run(connectionId, id);
    })();
  }

  quarantined(connectionId: string): QuarantineEntry[] {
    return (this.db.prepare('SELECT * FROM quarantine WHERE connection_id = ? ORDER BY account_id').all(connectionId) as unknown[]).map((raw) => {
      const r = quarantineRow.parse(raw);
      return {
        accountId: r.account_id, runId: r.run_id, code: r.code, message: r.message, fields: fieldValuesSchema.parse(JSON.parse(r.fields_json)),
        attempts: r.attempts, firstFailedAt: r.first_failed_at, failedAt: r.failed_at, retryAfter: r.retry_after, recordStamp: r.record_stamp, configKey: r.config_key,
      };
    });
  }

  recordJob(connectionId: string, job: { jobId: string; runId: string; createdAt: string }): void {
    this.db
      .prepare('INSERT INTO remote_jobs (connection_id, job_id, run_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (connection_id, job_id) DO NOTHING')
      .run(connectionId, job.jobId, job.runId, job.createdAt);
  }

  openJobs(connectionId: string): { jobId: string; runId: string; createdAt: string }[] {
    return (this.db.prepare('SELECT job_id, run_id, created_at FROM remote_jobs WHERE connection_id = ? AND settled_at IS NULL ORDER BY created_at, job_id').all(connectionId) as unknown[])
      .map((raw) => {
        const r = jobRow.parse(raw);
        return { jobId: r.job_id, runId: r.run_id, createdAt: r.created_at };
      });
  }

  settleJobs(connectionId: string, jobIds: string[], at: string): void {
    const update = this.db.prepare('UPDATE remote_jobs SET settled_at = ? WHERE connection_id = ? AND job_id = ?');
    this.db.transaction(() => {
      for (const id of jobIds) update.run(at, connectionId, id);
    })();
  }

  /** The database's own check, then the data rules every store keeps (see dataRuleQueries). */
  integrity(): string[] {
    const problems: string[] = [];
    const check = (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    if (check.length !== 1 || check[0] !== 'ok') problems.push(...check.map((c) => `integrity_check: ${c}`));
    for (const rule of DATA_RULES) {
      const n = (this.db.prepare(`SELECT COUNT(*) AS n FROM (${rule.sql}) AS broken`).get() as { n: number }).n;
      if (n > 0) problems.push(`${rule.name}: ${n} row(s)`);
    }
    return problems;
  }
}
