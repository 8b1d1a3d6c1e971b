import { z } from 'zod';
import type { FieldValues, ObjectKind } from '../../contract/connector.ts';
import { fieldValueSchema, fieldValuesSchema, writeErrorKindSchema, writeStatusSchema } from '../codecs.ts';
import { DATA_RULES } from '../data-rules.ts';
import type { FieldConflict, FieldMemory, InFlightResolution, InFlightWrite, NewQuarantineEntry, QuarantineEntry } from '../types.ts';
import type { Db, Queryable } from './db.ts';

const inFlightRow = z.object({
  run_id: z.string(), account_id: z.string(), chunk: z.number(), fields: z.unknown(), previous: z.unknown(),
  status: writeStatusSchema, error_kind: writeErrorKindSchema.nullable(), code: z.string().nullable(), message: z.string().nullable(),
});
const memoryRow = z.object({ account_id: z.string(), field: z.string(), value: fieldValueSchema, run_id: z.string(), written_at: z.string() });
const conflictRow = z.object({
  account_id: z.string(), field: z.string(), current_value: fieldValueSchema, kamflow_value: fieldValueSchema, proposed_value: fieldValueSchema,
  changed_by: z.string().nullable(), changed_at: z.string().nullable(),
  source: z.enum(['memory', 'never-written', 'field-history', 'last-modified-by', 'later-run']), resolution: z.enum(['kept', 'overwritten']),
});
const quarantineRow = z.object({
  account_id: z.string(), run_id: z.string(), code: z.string().nullable(), message: z.string().nullable(), fields: z.unknown(),
  attempts: z.number(), first_failed_at: z.string(), failed_at: z.string(), retry_after: z.string(), record_stamp: z.string().nullable(), config_key: z.string(),
});
const jobRow = z.object({ job_id: z.string(), run_id: z.string(), created_at: z.string() });

/** The PostgreSQL side of sqlite/writeback.ts: the same tables, rules and answers. */
export class PgWriteback {
  constructor(private readonly db: Db) {}

  /** Remembers confirmed values, inside the caller's transaction. */
  async remember(tx: Queryable, connectionId: string, written: Map<string, FieldValues>, runId: string, at: string): Promise<void> {
    const accounts: string[] = [];
    const fields: string[] = [];
    const values: string[] = [];
    for (const [accountId, fv] of written) {
      for (const [field, v] of Object.entries(fv)) {
        if (v === undefined) continue;
        accounts.push(accountId);
        fields.push(field);
        values.push(JSON.stringify(v));
      }
    }
    if (accounts.length === 0) return;
    await tx.query(
      `INSERT INTO field_memory (connection_id, account_id, field, value, run_id, written_at)
       SELECT $1, u.account_id, u.field, u.value::json, $5, $6 FROM unnest($2::text[], $3::text[], $4::text[]) AS u (account_id, field, value)
       ON CONFLICT (connection_id, account_id, field) DO UPDATE SET value = excluded.value, run_id = excluded.run_id, written_at = excluded.written_at`,
      [connectionId, accounts, fields, values, runId, at],
    );
  }

  async inFlight(connectionId: string): Promise<InFlightWrite[]> {
    const { rows } = await this.db.query(
      `SELECT w.run_id, w.account_id, w.chunk, w.fields, w.previous, w.status, w.error_kind, w.code, w.message
       FROM run_writes w JOIN runs r ON r.id = w.run_id
       WHERE w.status = 'sending' AND r.connection_id = $1 ORDER BY r.started_at, r.seq, w.chunk, w.account_id`,
      [connectionId],
    );
    return rows.map((raw) => {
      const r = inFlightRow.parse(raw);
      return {
        runId: r.run_id, accountId: r.account_id, chunk: r.chunk, fields: fieldValuesSchema.parse(r.fields), previous: fieldValuesSchema.parse(r.previous),
        status: r.status, errorKind: r.error_kind, code: r.code, message: r.message,
      };
    });
  }

  async resolveInFlight(connectionId: string, resolutions: InFlightResolution[], at: string): Promise<void> {
    if (resolutions.length === 0) return;
    await this.db.transaction(async (tx) => {
      const byRun = new Map<string, Map<string, FieldValues>>();
      for (const r of resolutions) {
        const { rows } = await tx.query(
          `UPDATE run_writes SET status = $1, error_kind = $2, code = $3, message = $4
           WHERE run_id = $5 AND account_id = $6 AND status = 'sending' RETURNING fields`,
          [r.applied ? 'ok' : 'failed', r.applied ? null : 'transient', r.code, r.message, r.runId, r.accountId],
        );
        const row = rows[0];
        if (!r.applied || row === undefined) continue;
        const written = byRun.get(r.runId) ?? new Map<string, FieldValues>();
        written.set(r.accountId, fieldValuesSchema.parse(z.object({ fields: z.unknown() }).parse(row).fields));
        byRun.set(r.runId, written);
      }
      for (const [runId, written] of byRun) await this.remember(tx, connectionId, written, runId, at);
    });
  }

  async memory(connectionId: string): Promise<FieldMemory[]> {
    const { rows } = await this.db.query(
      'SELECT account_id, field, value, run_id, written_at FROM field_memory WHERE connection_id = $1 ORDER BY account_id, field',
      [connectionId],
    );
    return rows.map((raw) => {
      const r = memoryRow.parse(raw);
      return { accountId: r.account_id, field: r.field, value: r.value, runId: r.run_id, writtenAt: r.written_at };
    });
  }

  async stamps(connectionId: string, object: ObjectKind, ids: string[]): Promise<Record<string, string | null>> {
    if (ids.length === 0) return {};
    const { rows } = await this.db.query('SELECT id, stamp FROM mirror WHERE connection_id = $1 AND object = $2 AND id = ANY($3::text[])', [connectionId, object, ids]);
    const out: Record<string, string | null> = {};
    for (const raw of rows) {
      const r = z.object({ id: z.string(), stamp: z.string().nullable() }).parse(raw);
      out[r.id] = r.stamp;
    }
    return out;
  }

  async addConflicts(runId: string, conflicts: FieldConflict[]): Promise<void> {
    if (conflicts.length === 0) return;
    const col = <T>(f: (c: FieldConflict) => T): T[] => conflicts.map(f);
    await this.db.query(
      `INSERT INTO field_conflicts (run_id, account_id, field, current_value, kamflow_value, proposed_value, changed_by, changed_at, source, resolution)
       SELECT $1, u.account_id, u.field, u.cur::json, u.kam::json, u.prop::json, u.changed_by, u.changed_at, u.source, u.resolution
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
         WITH ORDINALITY AS u (account_id, field, cur, kam, prop, changed_by, changed_at, source, resolution, n)
       ORDER BY u.n`,
      [
        runId, col((c) => c.accountId), col((c) => c.field), col((c) => JSON.stringify(c.current)), col((c) => JSON.stringify(c.kamflowValue)),
        col((c) => JSON.stringify(c.proposed)), col((c) => c.changedBy), col((c) => c.changedAt), col((c) => c.source), col((c) => c.resolution),
      ],
    );
  }

  async conflicts(runId: string): Promise<FieldConflict[]> {
    const { rows } = await this.db.query(
      `SELECT account_id, field, current_value, kamflow_value, proposed_value, changed_by, changed_at, source, resolution
       FROM field_conflicts WHERE run_id = $1 ORDER BY seq`,
      [runId],
    );
    return rows.map((raw) => {
      const r = conflictRow.parse(raw);
      return {
        accountId: r.account_id, field: r.field, current: r.current_value, kamflowValue: r.kamflow_value, proposed: r.proposed_value,
        changedBy: r.changed_by, changedAt: r.changed_at, source: r.source, resolution: r.resolution,
      };
    });
  }

  async quarantine(connectionId: string, entries: NewQuarantineEntry[]): Promise<void> {
    if (entries.length === 0) return;
    // One account once per statement (ON CONFLICT cannot touch a row twice): the last entry wins.
    const last = [...new Map(entries.map((e) => [e.accountId, e])).values()];
    const col = <T>(f: (e: NewQuarantineEntry) => T): T[] => last.map(f);
    await this.db.query(
      `INSERT INTO quarantine (connection_id, account_id, run_id, code, message, fields, attempts, first_failed_at, failed_at, retry_after, record_stamp, config_key)
       SELECT $1, u.account_id, u.run_id, u.code, u.message, u.fields::json, 1, u.failed_at, u.failed_at, u.retry_after, u.record_stamp, u.config_key
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
         AS u (account_id, run_id, code, message, fields, failed_at, retry_after, record_stamp, config_key)
       ON CONFLICT (connection_id, account_id) DO UPDATE SET run_id = excluded.run_id, code = excluded.code, message = excluded.message,
         fields = excluded.fields, attempts = quarantine.attempts + 1, failed_at = excluded.failed_at, retry_after = excluded.retry_after,
         record_stamp = excluded.record_stamp, config_key = excluded.config_key`,
      [
        connectionId, col((e) => e.accountId), col((e) => e.runId), col((e) => e.code), col((e) => e.message), col((e) => JSON.stringify(e.fields)),
        col((e) => e.failedAt), col((e) => e.retryAfter), col((e) => e.recordStamp), col((e) => e.configKey),
      ],
    );
  }

  async release(connectionId: string, accountIds: string[]): Promise<void> {
    if (accountIds.length === 0) return;
    await this.db.query('DELETE FROM quarantine WHERE connection_id = $1 AND account_id = ANY($2::text[])', [connectionId, accountIds]);
  }

  async quarantined(connectionId: string): Promise<QuarantineEntry[]> {
    const { rows } = await this.db.query(
      `SELECT account_id, run_id, code, message, fields, attempts, first_failed_at, failed_at, retry_after, record_stamp, config_key
       FROM quarantine WHERE connection_id = $1 ORDER BY account_id`,
      [connectionId],
    );
    return rows.map((raw) => {
      const r = quarantineRow.parse(raw);
      return {
        accountId: r.account_id, runId: r.run_id, code: r.code, message: r.message, fields: fieldValuesSchema.parse(r.fields),
        attempts: r.attempts, firstFailedAt: r.first_failed_at, failedAt: r.failed_at, retryAfter: r.retry_after, recordStamp: r.record_stamp, configKey: r.config_key,
      };
    });
  }

  async recordJob(connectionId: string, job: { jobId: string; runId: string; createdAt: string }): Promise<void> {
    await this.db.query(
      'INSERT INTO remote_jobs (connection_id, job_id, run_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (connection_id, job_id) DO NOTHING',
      [connectionId, job.jobId, job.runId, job.createdAt],
    );
  }

  async openJobs(connectionId: string): Promise<{ jobId: string; runId: string; createdAt: string }[]> {
    const { rows } = await this.db.query(
      'SELECT job_id, run_id, created_at FROM remote_jobs WHERE connection_id = $1 AND settled_at IS NULL ORDER BY created_at, job_id',
      [connectionId],
    );
    return rows.map((raw) => {
      const r = jobRow.parse(raw);
      return { jobId: r.job_id, runId: r.run_id, createdAt: r.created_at };
    });
  }

  async settleJobs(connectionId: string, jobIds: string[], at: string): Promise<void> {
    if (jobIds.length === 0) return;
    await this.db.query('UPDATE remote_jobs SET settled_at = $1 WHERE connection_id = $2 AND job_id = ANY($3::text[])', [at, connectionId, jobIds]);
  }

  /**
   * PostgreSQL keeps its own pages consistent (checksums, WAL): the check here is of the data,
   * by the same rules as the SQLite store's, plus the indexes the rules rely on being valid.
   */
  async integrity(): Promise<string[]> {
    const problems: string[] = [];
    const invalid = await this.db.query(
      "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND NOT i.indisvalid",
    );
    for (const raw of invalid.rows) problems.push(`invalid index: ${z.object({ relname: z.string() }).parse(raw).relname}`);
    for (const rule of DATA_RULES) {
      const { rows } = await this.db.query(`SELECT COUNT(*)::int AS n FROM (${rule.sql}) AS broken`);
      const n = z.object({ n: z.number() }).parse(rows[0]).n;
      if (n > 0) problems.push(`${rule.name}: ${n} row(s)`);
    }
    return problems;
  }
}
