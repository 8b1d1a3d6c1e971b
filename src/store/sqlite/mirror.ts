import type Database from 'better-sqlite3';
import { z } from 'zod';
import { OBJECT_KINDS, type ObjectKind } from '../../contract/connector.ts';
import type { CheckpointInput, CheckpointResult, LockResult, MirrorContents, StreamState } from '../types.ts';

const streamRow = z.object({
  object: z.enum(OBJECT_KINDS),
  cursor_json: z.string().nullable(),
  phase: z.enum(['full', 'incremental']),
  sweep_token: z.string().nullable(),
});
const cursorSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

/** Pull cursors, the record mirror and the per-connection run lock. */
export class MirrorTables {
  constructor(private readonly db: Database.Database) {}

  acquireLock(connectionId: string, holder: string, now: Date, ttlMs: number): LockResult {
    return this.db.transaction((): LockResult => {
      const row = this.db.prepare('SELECT holder, expires_at FROM locks WHERE connection_id = ?').get(connectionId) as
        | { holder: string; expires_at: number }
        | undefined;
      if (row && row.holder !== holder && row.expires_at > now.getTime()) {
        return { acquired: false, holder: row.holder, expiresAt: new Date(row.expires_at) };
      }
      this.db
        .prepare('INSERT INTO locks (connection_id, holder, expires_at) VALUES (?, ?, ?) ON CONFLICT (connection_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at')
        .run(connectionId, holder, now.getTime() + ttlMs);
      return { acquired: true };
    }).immediate();
  }

  renewLock(connectionId: string, holder: string, now: Date, ttlMs: number): boolean {
    const r = this.db.prepare('UPDATE locks SET expires_at = ? WHERE connection_id = ? AND holder = ?').run(now.getTime() + ttlMs, connectionId, holder);
    return r.changes === 1;
  }

  releaseLock(connectionId: string, holder: string): void {
    this.db.prepare('DELETE FROM locks WHERE connection_id = ? AND holder = ?').run(connectionId, holder);
  }

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
      `INSERT INTO mirror (connection_id, object, id, data_json, sweep_token) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (connection_id, object, id) DO UPDATE SET data_json = excluded.data_json,
         sweep_token = COALESCE(excluded.sweep_token, mirror.sweep_token)`,
    );
    const remove = this.db.prepare('DELETE FROM mirror WHERE connection_id = ? AND object = ? AND id = ?');
    return this.db.transaction((): CheckpointResult => {
      let deleted = 0;
      let swept = 0;
      for (const record of input.records) {
        upsert.run(input.connectionId, input.object, record.id, JSON.stringify(record), input.sweepToken);
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
      return { upserted: input.records.length, deleted, swept };
    }).immediate();
  }

  load(connectionId: string): MirrorContents {
    const out: MirrorContents = { users: [], products: [], accounts: [], contacts: [], opportunities: [], lineItems: [] };
    const rows = this.db.prepare('SELECT object, data_json FROM mirror WHERE connection_id = ? ORDER BY object, id').all(connectionId) as {
      object: string;
      data_json: string;
    }[];
    for (const row of rows) {
      const kind = OBJECT_KINDS.find((k) => k === row.object);
      if (kind) out[kind].push(JSON.parse(row.data_json) as unknown);
    }
    return out;
  }

  /** Copies written values into a mirrored account's fields (no-op for an account not mirrored). */
  applyAccountFields(connectionId: string, accountId: string, fields: Record<string, unknown>): void {
    const row = this.db.prepare("SELECT data_json FROM mirror WHERE connection_id = ? AND object = 'accounts' AND id = ?").get(connectionId, accountId) as
      | { data_json: string }
      | undefined;
    if (!row) return;
    const data = z.looseObject({ fields: z.record(z.string(), z.unknown()).optional() }).parse(JSON.parse(row.data_json));
    const next = { ...data, fields: { ...(data.fields ?? {}), ...fields } };
    this.db.prepare("UPDATE mirror SET data_json = ? WHERE connection_id = ? AND object = 'accounts' AND id = ?").run(JSON.stringify(next), connectionId, accountId);
  }
}
