import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { ChangeMark } from '../types.ts';
import { OBJECT_KINDS } from '../../contract/connector.ts';

const markRow = z.object({ object: z.enum(OBJECT_KINDS), id: z.string(), deleted: z.number(), marked_at: z.string() });

/** Console settings (the first-run admin password hash) and the change marks of webhooks. */
export class ConsoleTables {
  constructor(private readonly db: Database.Database, private readonly now: () => string) {}

  getSetting(key: string): string | null {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row ? row.value : null;
  }

  setSetting(key: string, value: string): void {
    this.db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
      .run(key, value, this.now());
  }

  markChanged(connectionId: string, marks: ChangeMark[]): number {
    const upsert = this.db.prepare(`INSERT INTO change_marks (connection_id, object, id, deleted, marked_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (connection_id, object, id) DO UPDATE SET deleted = MAX(deleted, excluded.deleted), marked_at = excluded.marked_at`);
    return this.db.transaction(() => {
      for (const m of marks) upsert.run(connectionId, m.object, m.id, m.deleted ? 1 : 0, m.markedAt);
      return marks.length;
    })();
  }

  listChangeMarks(connectionId: string): ChangeMark[] {
    const rows = this.db.prepare('SELECT object, id, deleted, marked_at FROM change_marks WHERE connection_id = ? ORDER BY marked_at, object, id').all(connectionId);
    return rows.map((raw) => {
      const r = markRow.parse(raw);
      const object = OBJECT_KINDS.find((k) => k === r.object) ?? 'accounts';
      return { object, id: r.id, deleted: r.deleted === 1, markedAt: r.marked_at };
    });
  }

  clearChangeMarks(connectionId: string, marks: ChangeMark[]): void {
    const del = this.db.prepare('DELETE FROM change_marks WHERE connection_id = ? AND object = ? AND id = ? AND marked_at <= ?');
    this.db.transaction(() => {
      for (const m of marks) del.run(connectionId, m.object, m.id, m.markedAt);
    })();
  }
}
