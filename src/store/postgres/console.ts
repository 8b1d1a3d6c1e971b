import { z } from 'zod';
import { OBJECT_KINDS } from '../../contract/connector.ts';
import type { ChangeMark } from '../types.ts';
import type { Db } from './db.ts';

const markRow = z.object({ object: z.enum(OBJECT_KINDS), id: z.string(), deleted: z.boolean(), marked_at: z.string() });
const settingRow = z.object({ value: z.string() });

/** Console settings (the first-run admin password hash) and the change marks of webhooks. */
export class PgConsole {
  constructor(private readonly db: Db, private readonly now: () => string) {}

  async getSetting(key: string): Promise<string | null> {
    const { rows } = await this.db.query('SELECT value FROM settings WHERE key = $1', [key]);
    return rows.length === 0 ? null : settingRow.parse(rows[0]).value;
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.db.query(
      'INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      [key, value, this.now()],
    );
  }

  async markChanged(connectionId: string, marks: ChangeMark[]): Promise<number> {
    if (marks.length === 0) return 0;
    // One row per record, merged as successive upserts would: a deletion sticks, the last time wins.
    const merged = new Map<string, ChangeMark>();
    for (const m of marks) {
      const key = `${m.object}\u0000${m.id}`;
      const prior = merged.get(key);
      merged.set(key, { ...m, deleted: m.deleted || (prior?.deleted ?? false) });
    }
    const rows = [...merged.values()];
    await this.db.query(
      `INSERT INTO change_marks (connection_id, object, id, deleted, marked_at)
       SELECT $1, u.object, u.id, u.deleted, u.marked_at FROM unnest($2::text[], $3::text[], $4::boolean[], $5::text[]) AS u (object, id, deleted, marked_at)
       ON CONFLICT (connection_id, object, id) DO UPDATE SET deleted = change_marks.deleted OR excluded.deleted, marked_at = excluded.marked_at`,
      [connectionId, rows.map((m) => m.object), rows.map((m) => m.id), rows.map((m) => m.deleted), rows.map((m) => m.markedAt)],
    );
    return marks.length;
  }

  async listChangeMarks(connectionId: string): Promise<ChangeMark[]> {
    const { rows } = await this.db.query('SELECT object, id, deleted, marked_at FROM change_marks WHERE connection_id = $1 ORDER BY marked_at, object, id', [connectionId]);
    return rows.map((raw) => {
      const r = markRow.parse(raw);
      const object = r.object;
      return { object, id: r.id, deleted: r.deleted, markedAt: r.marked_at };
    });
  }

  async clearChangeMarks(connectionId: string, marks: ChangeMark[]): Promise<void> {
    if (marks.length === 0) return;
    await this.db.query(
      `DELETE FROM change_marks c USING unnest($2::text[], $3::text[], $4::text[]) AS u (object, id, marked_at)
       WHERE c.connection_id = $1 AND c.object = u.object AND c.id = u.id AND c.marked_at <= u.marked_at`,
      [connectionId, marks.map((m) => m.object), marks.map((m) => m.id), marks.map((m) => m.markedAt)],
    );
  }
}
