import { z } from 'zod';
import type { WriteOutcome } from '../../contract/connector.ts';
import {
  countsSchema, fieldValuesSchema, INTERRUPTED_MESSAGE, issueFromRow, runStatusSchema, usageSchema, writeErrorKindSchema, writeStatusSchema,
} from '../codecs.ts';
import { emptyCounts, type RunCounts } from '../../contract/runs.ts';
import type { NewRun, RunIssue, RunPatch, RunRecord, StoredWrite, WriteStatus } from '../types.ts';
import type { Db } from './db.ts';
import type { PgMirror } from './mirror.ts';
import type { PgWriteback } from './writeback.ts';

const runRow = z.object({
  id: z.string(),
  connection_id: z.string(),
  kind: z.enum(['sync', 'rollback']),
  status: runStatusSchema,
  mode: z.enum(['full', 'incremental']).nullable(),
  dry_run: z.boolean(),
  as_of: z.string().nullable(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  counts: z.unknown(),
  api_usage: z.unknown(),
  error: z.string().nullable(),
  rollback_of: z.string().nullable(),
});
const writeRow = z.object({
  account_id: z.string(),
  chunk: z.number(),
  fields: z.unknown(),
  previous: z.unknown(),
  status: writeStatusSchema,
  error_kind: writeErrorKindSchema.nullable(),
  code: z.string().nullable(),
  message: z.string().nullable(),
});
const atRow = z.object({ at: z.string().nullable() });

const RUN_COLUMNS = 'id, connection_id, kind, status, mode, dry_run, as_of, started_at, finished_at, counts, api_usage, error, rollback_of';

function toRun(raw: unknown): RunRecord {
  const r = runRow.parse(raw);
  return {
    id: r.id, connectionId: r.connection_id, kind: r.kind, status: r.status, mode: r.mode, dryRun: r.dry_run,
    asOf: r.as_of, startedAt: r.started_at, finishedAt: r.finished_at,
    counts: countsSchema.parse(r.counts) as RunCounts,
    apiUsage: usageSchema.parse(r.api_usage), error: r.error, rollbackOf: r.rollback_of,
  };
}

function toWrite(raw: unknown): StoredWrite {
  const r = writeRow.parse(raw);
  return {
    accountId: r.account_id, chunk: r.chunk,
    fields: fieldValuesSchema.parse(r.fields), previous: fieldValuesSchema.parse(r.previous),
    status: r.status, errorKind: r.error_kind, code: r.code, message: r.message,
  };
}

/** An answer lost on the way keeps the write in flight (`sending`) until a pull shows whether it landed. */
function writeStatusOf(o: WriteOutcome): 'ok' | 'failed' | 'sending' {
  if (o.ok) return 'ok';
  return o.errorKind === 'unknown' ? 'sending' : 'failed';
}

const SUCCEEDED_SYNC = "connection_id = $1 AND kind = 'sync' AND status = 'succeeded' AND NOT dry_run";

/** Runs, their planned writes with outcomes and previous values, and per-record issues. */
export class PgRuns {
  constructor(
    private readonly db: Db,
    private readonly mirror: PgMirror,
    private readonly writeback: PgWriteback,
    private readonly now: () => string,
  ) {}

  async create(run: NewRun): Promise<RunRecord> {
    const { rows } = await this.db.query(
      `INSERT INTO runs (id, connection_id, kind, status, mode, dry_run, as_of, started_at, counts, api_usage, rollback_of)
       VALUES ($1, $2, $3, 'running', $4, $5, $6, $7, $8, '{}', $9) RETURNING ${RUN_COLUMNS}`,
      [run.id, run.connectionId, run.kind, run.mode, run.dryRun, run.asOf, run.startedAt, JSON.stringify(emptyCounts()), run.rollbackOf ?? null],
    );
    return toRun(rows[0]);
  }

  async update(runId: string, patch: RunPatch): Promise<RunRecord> {
    const next = { ...(await this.mustGet(runId)), ...patch };
    const { rows } = await this.db.query(
      `UPDATE runs SET status = $1, mode = $2, as_of = $3, finished_at = $4, counts = $5, api_usage = $6, error = $7 WHERE id = $8 RETURNING ${RUN_COLUMNS}`,
      [next.status, next.mode, next.asOf, next.finishedAt, JSON.stringify(next.counts), JSON.stringify(next.apiUsage), next.error, runId],
    );
    if (rows.length === 0) throw new Error(`no run with id ${runId}`);
    return toRun(rows[0]);
  }

  async get(runId: string): Promise<RunRecord | null> {
    const { rows } = await this.db.query(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1`, [runId]);
    return rows.length === 0 ? null : toRun(rows[0]);
  }

  private async mustGet(runId: string): Promise<RunRecord> {
    const r = await this.get(runId);
    if (!r) throw new Error(`no run with id ${runId}`);
    return r;
  }

  async list(filter: { connectionId?: string; limit?: number }): Promise<RunRecord[]> {
    const limit = filter.limit ?? 50;
    const { rows } = filter.connectionId
      ? await this.db.query(`SELECT ${RUN_COLUMNS} FROM runs WHERE connection_id = $1 ORDER BY started_at DESC, seq DESC LIMIT $2`, [filter.connectionId, limit])
      : await this.db.query(`SELECT ${RUN_COLUMNS} FROM runs ORDER BY started_at DESC, seq DESC LIMIT $1`, [limit]);
    return rows.map(toRun);
  }

  async lastFullPullAt(connectionId: string): Promise<string | null> {
    const full = atRow.parse((await this.db.query(`SELECT MAX(started_at) AS at FROM runs WHERE ${SUCCEEDED_SYNC} AND mode = 'full'`, [connectionId])).rows[0]);
    if (full.at !== null) return full.at;
    return atRow.parse((await this.db.query(`SELECT MIN(started_at) AS at FROM runs WHERE ${SUCCEEDED_SYNC}`, [connectionId])).rows[0]).at;
  }

  async hasSucceeded(connectionId: string): Promise<boolean> {
    return (await this.db.query(`SELECT 1 FROM runs WHERE ${SUCCEEDED_SYNC} LIMIT 1`, [connectionId])).rows.length > 0;
  }

  async markRunningAsInterrupted(connectionId: string, now: string): Promise<number> {
    return (await this.db.query(
      "UPDATE runs SET status = 'interrupted', finished_at = $1, error = $2 WHERE connection_id = $3 AND status = 'running'",
      [now, INTERRUPTED_MESSAGE, connectionId],
    )).rowCount;
  }

  async saveWrites(runId: string, writes: StoredWrite[]): Promise<void> {
    if (writes.length === 0) return;
    await this.db.query(
      `INSERT INTO run_writes (run_id, account_id, chunk, fields, previous, status, error_kind, code, message)
       SELECT $1, u.account_id, u.chunk, u.fields::json, u.previous::json, u.status, u.error_kind, u.code, u.message
       FROM unnest($2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
         AS u (account_id, chunk, fields, previous, status, error_kind, code, message)`,
      [
        runId, writes.map((w) => w.accountId), writes.map((w) => w.chunk), writes.map((w) => JSON.stringify(w.fields)),
        writes.map((w) => JSON.stringify(w.previous)), writes.map((w) => w.status), writes.map((w) => w.errorKind),
        writes.map((w) => w.code), writes.map((w) => w.message),
      ],
    );
  }

  async setChunkStatus(runId: string, chunk: number, from: WriteStatus, to: WriteStatus): Promise<void> {
    await this.db.query('UPDATE run_writes SET status = $1 WHERE run_id = $2 AND chunk = $3 AND status = $4', [to, runId, chunk, from]);
  }

  /** The outcomes and the written values' copy into the mirror, in one transaction. */
  async recordOutcomes(runId: string, connectionId: string, outcomes: WriteOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    // As if applied one after another: the last outcome of an account sets its status, and any
    // success copies its values into the mirror.
    const last = new Map<string, WriteOutcome>();
    const succeeded = new Set<string>();
    for (const o of outcomes) {
      last.set(o.accountId, o);
      if (o.ok) succeeded.add(o.accountId);
    }
    const final = [...last.values()];
    await this.db.transaction(async (tx) => {
      const { rows } = await tx.query(
        `UPDATE run_writes w SET status = u.status, error_kind = u.error_kind, code = u.code, message = u.message
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u (account_id, status, error_kind, code, message)
         WHERE w.run_id = $1 AND w.account_id = u.account_id
         RETURNING w.account_id, w.fields`,
        [
          runId, final.map((o) => o.accountId), final.map(writeStatusOf),
          final.map((o) => (o.ok ? null : (o.errorKind ?? 'transient'))), final.map((o) => o.code ?? null), final.map((o) => o.message ?? null),
        ],
      );
      const written = new Map<string, Record<string, unknown>>();
      for (const raw of rows) {
        const row = z.object({ account_id: z.string(), fields: z.unknown() }).parse(raw);
        if (succeeded.has(row.account_id)) written.set(row.account_id, fieldValuesSchema.parse(row.fields));
      }
      await this.mirror.applyAccountFields(tx, connectionId, written);
      await this.writeback.remember(tx, connectionId, written, runId, this.now());
    });
  }

  async listWrites(runId: string): Promise<StoredWrite[]> {
    const { rows } = await this.db.query(
      'SELECT account_id, chunk, fields, previous, status, error_kind, code, message FROM run_writes WHERE run_id = $1 ORDER BY chunk, account_id',
      [runId],
    );
    return rows.map(toWrite);
  }

  async addIssues(runId: string, issues: RunIssue[]): Promise<void> {
    if (issues.length === 0) return;
    // Inserted in order from one statement: the serial numbers keep the order they were given in.
    await this.db.query(
      `INSERT INTO run_issues (run_id, stage, object, record_id, kind, message)
       SELECT $1, u.stage, u.object, u.record_id, u.kind, u.message
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS u (stage, object, record_id, kind, message, n)
       ORDER BY u.n`,
      [runId, issues.map((i) => i.stage), issues.map((i) => i.object), issues.map((i) => i.recordId), issues.map((i) => i.kind), issues.map((i) => i.message)],
    );
  }

  async listIssues(runId: string): Promise<RunIssue[]> {
    const { rows } = await this.db.query('SELECT stage, object, record_id, kind, message FROM run_issues WHERE run_id = $1 ORDER BY seq', [runId]);
    return rows.map(issueFromRow);
  }
}
