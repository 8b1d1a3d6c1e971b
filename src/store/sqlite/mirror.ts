import type Database from 'better-sqlite3';
import { z } from 'zod';
import { OBJECT_KINDS, type ObjectKind } from '../../contract/connector.ts';
import { cursorSchema, mirroredAccountSchema } from '../codecs.ts';
import type { CheckpointInput, CheckpointResult, StreamState } from '../types.ts';
import { sameRecord } from '../same-record.ts';

const streamRow = z.object({
  object: z.enum(OBJECT_KINDS),
  cursor_json: z.string().nullable(),
  phase: z.enum(['full', 'incremental']),
  sweep_token: z.string().nullable(),
});

const mirrorRow = z.object({ id: z.string(), data_json: z.string() });

/** Pull cursors and the record mirror. */
export class MirrorTables {
  constructor(private readonly db: Database.Database) {}

  streamStates(connectionId: string): Partial<Record<ObjectKind, StreamState>> {
    const out: Partial<Record<ObjectKind, StreamState>> = {};
    for (const raw of this.db.prepare('SELECT object, cursor_json, phase, sweep_token FROM streams WHERE connection_id = ?').all(connectionId)) {
      const row = streamRow.parse(raw);
      out[row.object] = {
        object: row.object,
        cursor: row.cursor_json === null ? null : cursorSchema.parse(JSON.parse(row.cursor_json)),
        phase: row.phase,
        sweepToken: row.sweep_token,
      };
    }
    return out;
  }

  startFullPull(connectionId: string, object: ObjectKind, sweepToken: string): void {
    this.db
      .prepare(`INSERT INTO streams (connection_id, object, cursor_json, phase, sweep_token) VALUES (?, ?, NULL, 'full', ?)
                ON CONFLICT (connection_id, object) DO UPDATE SET cursor_json = NULL, phase = 'full', sweep_token = excluded.sweep_token`)
      .run(connectionId, object, sweepToken);
  }

  checkpoint(input: CheckpointInput): CheckpointResult {
    const upsert = this.db.prepare(
      `INSERT INTO mirror (connection_id, object, id, data_json, sweep_token, stamp) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (connection_id, object, id) DO UPDATE SET data_json = excluded.data_json,
         sweep_token = COALESCE(excluded.sweep_token, mirror.sweep_token), stamp = excluded.stamp`,
    );
    const remove = this.db.prepare('DELETE FROM mirror WHERE connection_id = ? AND object = ? AND id = ?');
    const current = this.db.prepare('SELECT data_json FROM mirror WHERE connection_id = ? AND object = ? AND id = ?');
    return this.db.transaction((): CheckpointResult => {
      let deleted = 0;
      let swept = 0;
      let unchanged = 0;
      // The last of each id on the page counts, as the upserts run in order.
      const changed = new Set<string>();
      const seen = new Set<string>();
      for (const record of [...input.records].reverse()) {
        if (seen.has(record.id)) continue;
        seen.add(record.id);
        const row = current.get(input.connectionId, input.object, record.id) as { data_json: string } | undefined;
        if (row && sameRecord(JSON.parse(row.data_json), record)) unchanged++;
        else changed.add(record.id);
      }
      for (const record of input.records) {
        upsert.run(input.connectionId, input.object, record.id, JSON.stringify(record), input.sweepToken, input.stamps?.[record.id] ?? null);
      }
      // An opportunity's line items go with it, whether or not the CRM reports them deleted.
      const cascade = input.object === 'opportunities'
        ? this.db.prepare("DELETE FROM mirror WHERE connection_id = ? AND object = 'lineItems' AND json_extract(data_json, '$.opportunityId') = ?")
        : null;
      for (const id of input.deletedIds) {
        deleted += remove.run(input.connectionId, input.object, id).changes;
        cascade?.run(input.connectionId, id);
      }
      if (input.sweep && input.sweepToken !== null) {
        swept = this.db
          .prepare('DELETE FROM mirror WHERE connection_id = ? AND object = ? AND (sweep_token IS NULL OR sweep_token <> ?)')
          .run(input.connectionId, input.object, input.sweepToken).changes;
      }
      this.db
        .prepare(`INSERT INTO streams (connection_id, object, cursor_json, phase, sweep_token) VALUES (?, ?, ?, ?, ?)
                  ON CONFLICT (connection_id, object) DO UPDATE SET cursor_json = excluded.cursor_json, phase = excluded.phase, sweep_token = excluded.sweep_token`)
        .run(input.connectionId, input.object, JSON.stringify(input.cursor), input.phase, input.phase === 'full' ? input.sweepToken : null);
      return { upserted: changed.size, unchanged, deleted, swept };
    }).immediate();
  }

  /**
   * One kind of a connection's mirror in id order, `batchSize` records a query: each batch is
   * read when asked for, so no statement holds the whole mirror and the connection stays free
   * for other statements between batches.
   */
  count(connectionId: string, object: ObjectKind): number {
    const row = this.db.prepare('SELECT COUNT(*) AS n FROM mirror WHERE connection_id = ? AND object = ?').get(connectionId, object) as { n: number | bigint };
    return Number(row.n);
  }

  *records(connectionId: string, object: ObjectKind, batchSize: number): Generator<unknown[]> {
    const first = this.db.prepare('SELECT id, data_json FROM mirror WHERE connection_id = ? AND object = ? ORDER BY id LIMIT ?');
    const next = this.db.prepare('SELECT id, data_json FROM mirror WHERE connection_id = ? AND object = ? AND id > ? ORDER BY id LIMIT ?');
    let after: string | null = null;
    for (;;) {
      const raw: unknown[] = after === null ? first.all(connectionId, object, batchSize) : next.all(connectionId, object, after, batchSize);
      const rows: { id: string; data_json: string }[] = raw.map((r) => mirrorRow.parse(r));
      const last = rows[rows.length - 1];
      if (last === undefined) return;
      yield rows.map((r) => JSON.parse(r.data_json) as unknown);
      if (rows.length < batchSize) return;
      after = last.id;
    }
  }

  /** Copies written values into a mirrored account's fields (no-op for an account not mirrored). */
  applyAccountFields(connectionId: string, accountId: string, fields: Record<string, unknown>): void {
    const row = this.db.prepare("SELECT data_json FROM mirror WHERE connection_id = ? AND object = 'accounts' AND id = ?").get(connectionId, accountId) as
      | { data_json: string }
      | undefined;
    if (!row) return;
    const data = mirroredAccountSchema.parse(JSON.parse(row.data_json));
    const next = { ...data, fields: { ...(data.fields ?? {}), ...fields } };
    this.db.prepare("UPDATE mirror SET data_json = ? WHERE connection_id = ? AND object = 'accounts' AND id = ?").run(JSON.stringify(next), connectionId, accountId);
  }
}
