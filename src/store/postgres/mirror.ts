import { z } from 'zod';
import { OBJECT_KINDS, type ObjectKind } from '../../contract/connector.ts';
import { cursorSchema, mirroredAccountSchema } from '../codecs.ts';
import type { CheckpointInput, CheckpointResult, StreamState } from '../types.ts';
import type { Db, Queryable, QueryResult } from './db.ts';
import { sameRecord } from '../same-record.ts';

const streamRow = z.object({
  object: z.enum(OBJECT_KINDS),
  cursor: z.unknown(),
  phase: z.enum(['full', 'incremental']),
  sweep_token: z.string().nullable(),
});
const mirrorRow = z.object({ id: z.string(), data: z.unknown() });

/** The last of each id wins, as when the rows are upserted one after another. */
function lastById<T extends { id: string }>(records: readonly T[]): T[] {
  const byId = new Map<string, T>();
  for (const r of records) byId.set(r.id, r);
  return [...byId.values()];
}

/** Pull cursors and the record mirror. */
export class PgMirror {
  constructor(private readonly db: Db) {}

  async streamStates(connectionId: string): Promise<Partial<Record<ObjectKind, StreamState>>> {
    const out: Partial<Record<ObjectKind, StreamState>> = {};
    const { rows } = await this.db.query('SELECT object, cursor, phase, sweep_token FROM streams WHERE connection_id = $1', [connectionId]);
    for (const raw of rows) {
      const row = streamRow.parse(raw);
      out[row.object] = {
        object: row.object,
        cursor: row.cursor === null ? null : cursorSchema.parse(row.cursor),
        phase: row.phase,
        sweepToken: row.sweep_token,
      };
    }
    return out;
  }

  async startFullPull(connectionId: string, object: ObjectKind, sweepToken: string): Promise<void> {
    await this.db.query(
      `INSERT INTO streams (connection_id, object, cursor, phase, sweep_token) VALUES ($1, $2, NULL, 'full', $3)
       ON CONFLICT (connection_id, object) DO UPDATE SET cursor = NULL, phase = 'full', sweep_token = excluded.sweep_token`,
      [connectionId, object, sweepToken],
    );
  }

  /** One page: the upserts, deletions, sweep and the stream's new position commit together or not at all. */
  async checkpoint(input: CheckpointInput): Promise<CheckpointResult> {
    const { connectionId, object } = input;
    const records = lastById(input.records);
    const ids = records.map((r) => r.id);
    const data = records.map((r) => JSON.stringify(r));
    const stamps = records.map((r) => input.stamps?.[r.id] ?? null);
    const cursor = JSON.stringify(input.cursor);
    return this.db.transaction(async (tx): Promise<CheckpointResult> => {
      let unchanged = 0;
      if (records.length > 0) {
        const { rows } = await tx.query('SELECT id, data FROM mirror WHERE connection_id = $1 AND object = $2 AND id = ANY($3::text[])', [connectionId, object, ids]);
        const stored = new Map(rows.map((r) => mirrorRow.parse(r)).map((r) => [r.id, r.data]));
        for (const r of records) if (stored.has(r.id) && sameRecord(stored.get(r.id), r)) unchanged++;
        await tx.query(
          `INSERT INTO mirror (connection_id, object, id, data, sweep_token, stamp)
           SELECT $1, $2, u.id, u.data::json, $3, u.stamp FROM unnest($4::text[], $5::text[], $6::text[]) AS u (id, data, stamp)
           ON CONFLICT (connection_id, object, id) DO UPDATE SET data = excluded.data,
             sweep_token = COALESCE(excluded.sweep_token, mirror.sweep_token), stamp = excluded.stamp`,
          [connectionId, object, input.sweepToken, ids, data, stamps],
        );
      }
      let deleted = 0;
      if (input.deletedIds.length > 0) {
        deleted = (await tx.query('DELETE FROM mirror WHERE connection_id = $1 AND object = $2 AND id = ANY($3::text[])', [connectionId, object, input.deletedIds])).rowCount;
        // An opportunity's line items go with it, whether or not the CRM reports them deleted.
        if (object === 'opportunities') {
          await tx.query(
            "DELETE FROM mirror WHERE connection_id = $1 AND object = 'lineItems' AND (data ->> 'opportunityId') = ANY($2::text[])",
            [connectionId, input.deletedIds],
          );
        }
      }
      let swept = 0;
      if (input.sweep && input.sweepToken !== null) {
        swept = (await tx.query(
          'DELETE FROM mirror WHERE connection_id = $1 AND object = $2 AND (sweep_token IS NULL OR sweep_token <> $3)',
          [connectionId, object, input.sweepToken],
        )).rowCount;
      }
      await tx.query(
        `INSERT INTO streams (connection_id, object, cursor, phase, sweep_token) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (connection_id, object) DO UPDATE SET cursor = excluded.cursor, phase = excluded.phase, sweep_token = excluded.sweep_token`,
        [connectionId, object, cursor, input.phase, input.phase === 'full' ? input.sweepToken : null],
      );
      return { upserted: records.length - unchanged, unchanged, deleted, swept };
    });
  }

  /**
   * One kind of a connection's mirror in id order, `batchSize` records a query (keyset
   * pagination on the primary key): no statement returns more than one batch, and no
   * connection or transaction stays open between batches.
   */
  async count(connectionId: string, object: ObjectKind): Promise<number> {
    const { rows } = await this.db.query('SELECT COUNT(*) AS n FROM mirror WHERE connection_id = $1 AND object = $2', [connectionId, object]);
    return Number(z.object({ n: z.union([z.string(), z.number()]) }).parse(rows[0]).n);
  }

  async *records(connectionId: string, object: ObjectKind, batchSize: number): AsyncGenerator<unknown[]> {
    let after: string | null = null;
    for (;;) {
      const result: QueryResult = after === null
        ? await this.db.query('SELECT id, data FROM mirror WHERE connection_id = $1 AND object = $2 ORDER BY id LIMIT $3', [connectionId, object, batchSize])
        : await this.db.query('SELECT id, data FROM mirror WHERE connection_id = $1 AND object = $2 AND id > $3 ORDER BY id LIMIT $4', [connectionId, object, after, batchSize]);
      const rows: { id: string; data: unknown }[] = result.rows.map((r) => mirrorRow.parse(r));
      const last = rows[rows.length - 1];
      if (last === undefined) return;
      yield rows.map((r) => r.data);
      if (rows.length < batchSize) return;
      after = last.id;
    }
  }

  /** Copies written values into mirrored accounts' fields, inside the caller's transaction. */
  async applyAccountFields(tx: Queryable, connectionId: string, written: Map<string, Record<string, unknown>>): Promise<void> {
    if (written.size === 0) return;
    const { rows } = await tx.query(
      "SELECT id, data FROM mirror WHERE connection_id = $1 AND object = 'accounts' AND id = ANY($2::text[]) FOR UPDATE",
      [connectionId, [...written.keys()]],
    );
    if (rows.length === 0) return;
    const ids: string[] = [];
    const data: string[] = [];
    for (const raw of rows) {
      const row = mirrorRow.parse(raw);
      const account = mirroredAccountSchema.parse(row.data);
      ids.push(row.id);
      data.push(JSON.stringify({ ...account, fields: { ...(account.fields ?? {}), ...written.get(row.id) } }));
    }
    await tx.query(
      `UPDATE mirror m SET data = u.data::json FROM unnest($2::text[], $3::text[]) AS u (id, data)
       WHERE m.connection_id = $1 AND m.object = 'accounts' AND m.id = u.id`,
      [connectionId, ids, data],
    );
  }
}
