import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { WriteOutcome } from '../../contract/connector.ts';
import { emptyCounts, type RunCounts } from '../../contract/runs.ts';
import { NotFoundError } from '../../contract/errors.ts';
import type { NewRun, RunIssue, RunPatch, RunRecord, StoredWrite } from '../types.ts';
import { countsSchema, fieldValuesSchema, INTERRUPTED_MESSAGE, issueFromRow, runStatusSchema, usageSchema, writeErrorKindSchema, writeStatusSchema } from '../codecs.ts';
import type { MirrorTables } from './mirror.ts';
import type { WritebackTables } from './writeback.ts';

const runRow = z.object({
  id: z.string(),
  connection_id: z.string(),
  kind: z.enum(['sync', 'rollback']),
  status: runStatusSchema,
  mode: z.enum(['full', 'incremental']).nullable(),
  dry_run: z.number(),
  as_of: z.string().nullable(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  counts_json: z.string(),
  api_usage_json: z.string(),
  error: z.string().nullable(),
  rollback_of: z.string().nullable(),
});
const writeRow = z.object({
  account_id: z.string(),
  chunk: z.number(),
  fields_json: z.string(),
  previous_json: z.string(),
  status: writeStatusSchema,
  error_kind: writeErrorKindSchema.nullable(),
  code: z.string().nullable(),
  message: z.string().nullable(),
});

/** An answer lost on the way keeps the write in flight (`sending`) until a pull shows whether it landed. */
export function writeStatusOf(o: WriteOutcome): 'ok' | 'failed' | 'sending' {
  if (o.ok) return 'ok';
  return o.errorKind === 'unknown' ? 'sending' : 'failed';
}

function toRun(raw: unknown): RunRecord {
  const r = runRow.parse(raw);
  return {
    id: r.id, connectionId: r.connection_id, kind: r.kind, status: r.status, mode: r.mode, dryRun: r.dry_run === 1,
    asOf: r.as_of, startedAt: r.started_at, finishedAt: r.finished_at,
    counts: countsSchema.parse(JSON.parse(r.counts_json)) as RunCounts,
    apiUsage: usageSchema.parse(JSON.parse(r.api_usage_json)), error: r.error, rollbackOf: r.rollback_of,
  };
}

function toWrite(raw: unknown): StoredWrite {
  const r = writeRow.parse(raw);
  return {
    accountId: r.account_id, chunk: r.chunk,
    fields: fieldValuesSchema.parse(JSON.parse(r.fields_json)), previous: fieldValuesSchema.parse(JSON.parse(r.previous_json)),
    status: r.status, errorKind: r.error_kind, code: r.code, message: r.message,
  };
}

/** Runs, their planned writes with outcomes and previous values, and per-record issues. */
export class RunTables {
  constructor(
    private readonly db: Database.Database,
    private readonly mirror: MirrorTables,
    private readonly writeback: WritebackTables,
    private readonly now: () => string,
  ) {}

  create(run: NewRun): RunRecord {
    this.db
      .prepare(`INSERT INTO runs (id, connection_id, kind, status, mode, dry_run, as_of, started_at, counts_json, api_usage_json, rollback_of)
                VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, '{}', ?)`)
      .run(run.id, run.connectionId, run.kind, run.mode, run.dryRun ? 1 : 0, run.asOf, run.startedAt, JSON.stringify(emptyCounts()), run.rollbackOf ?? null);
    return this.mustGet(run.id);
  }

  update(runId: string, patch: RunPatch): RunRecord {
    const cur = this.mustGet(runId);
    const next = { ...cur, ...patch };
    this.db
      .prepare('UPDATE runs SET status = ?, mode = ?, as_of = ?, finished_at = ?, counts_json = ?, api_usage_json = ?, error = ? WHERE id = ?')
      .run(next.status, next.mode, next.asOf, next.finishedAt, JSON.stringify(next.counts), JSON.stringify(next.apiUsage), next.error, runId);
    return this.mustGet(runId);
  }

  get(runId: string): RunRecord | null {
    const row: unknown = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(runId);
    return row === undefined ? null : toRun(row);
  }

  mustGet(runId: string): RunRecord {
    const r = this.get(runId);
    if (!r) throw new NotFoundError('run', runId);
    return r;
  }

  list(filter: { connectionId?: string; limit?: number }): RunRecord[] {
    const limit = filter.limit ?? 50;
    const rows = filter.connectionId
      ? this.db.prepare('SELECT * FROM runs WHERE connection_id = ? ORDER BY started_at DESC, rowid DESC LIMIT ?').all(filter.connectionId, limit)
      : this.db.prepare('SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ?').all(limit);
    return (rows as unknown[]).map(toRun);
  }

  lastFullPullAt(connectionId: string): string | null {
    const done = "connection_id = ? AND kind = 'sync' AND status = 'succeeded' AND dry_run = 0";
    const full = this.db.prepare(`SELECT MAX(started_at) AS at FROM runs WHERE ${done} AND mode = 'full'`).get(connectionId) as { at: string | null };
    if (full.at !== null) return full.at;
    const first = this.db.prepare(`SELECT MIN(started_at) AS at FROM runs WHERE ${done}`).get(connectionId) as { at: string | null };
    return first.at;
  }

  hasSucceeded(connectionId: string): boolean {
    return this.db.prepare("SELECT 1 FROM runs WHERE connection_id = ? AND kind = 'sync' AND status = 'succeeded' AND dry_run = 0 LIMIT 1").get(connectionId) !== undefined;
  }

  markRunningAsInterrupted(connectionId: string, now: string): number {
    return this.db
      .prepare("UPDATE runs SET status = 'interrupted', finished_at = ?, error = ? WHERE connection_id = ? AND status = 'running'")
      .run(now, INTERRUPTED_MESSAGE, connectionId).changes;
  }

  saveWrites(runId: string, writes: StoredWrite[]): void {
    const insert = this.db.prepare(
      `INSERT INTO run_writes (run_id, account_id, chunk, fields_json, previous_json, status, error_kind, code, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const w of writes) {
        insert.run(runId, w.accountId, w.chunk, JSON.stringify(w.fields), JSON.stringify(w.previous), w.status, w.errorKind, w.code, w.message);
      }
    })();
  }

  setChunkStatus(runId: string, chunk: number, from: string, to: string): void {
    this.db.prepare('UPDATE run_writes SET status = ? WHERE run_id = ? AND chunk = ? AND status = ?').run(to, runId, chunk, from);
  }

  recordOutcomes(runId: string, connectionId: string, outcomes: WriteOutcome[]): void {
    const select = this.db.prepare('SELECT fields_json FROM run_writes WHERE run_id = ? AND account_id = ?');
    const update = this.db.prepare('UPDATE run_writes SET status = ?, error_kind = ?, code = ?, message = ? WHERE run_id = ? AND account_id = ?');
    const at = this.now();
    this.db.transaction(() => {
      for (const o of outcomes) {
        const row = select.get(runId, o.accountId) as { fields_json: string } | undefined;
        if (!row) continue;
        update.run(writeStatusOf(o), o.ok ? null : (o.errorKind ?? 'transient'), o.code ?? null, o.message ?? null, runId, o.accountId);
        if (!o.ok) continue;
        const fields = fieldValuesSchema.parse(JSON.parse(row.fields_json));
        this.mirror.applyAccountFields(connectionId, o.accountId, fields);
        this.writeback.remember(connectionId, o.accountId, fields, runId, at);
      }
    }).immediate();
  }

  listWrites(runId: string): StoredWrite[] {
    return (this.db.prepare('SELECT * FROM run_writes WHERE run_id = ? ORDER BY chunk, account_id').all(runId) as unknown[]).map(toWrite);
  }

  addIssues(runId: string, issues: RunIssue[]): void {
    const row = this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM run_issues WHERE run_id = ?').get(runId) as { seq: number };
    const insert = this.db.prepare('INSERT INTO run_issues (run_id, seq, stage, object, record_id, kind, message) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      let seq = row.seq;
      for (const i of issues) insert.run(runId, ++seq, i.stage, i.object, i.recordId, i.kind, i.message);
    })();
  }

  listIssues(runId: string): RunIssue[] {
    return (this.db.prepare('SELECT * FROM run_issues WHERE run_id = ? ORDER BY seq').all(runId) as unknown[]).map(issueFromRow);
  }
}
