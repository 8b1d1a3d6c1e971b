import type Database from 'better-sqlite3';
import type { LockResult } from '../types.ts';

/**
 * The per-connection run lock: a row with its holder and an expiry. Every rule about who may
 * hold it lives here.
 */
export class SqliteLocks {
  constructor(private readonly db: Database.Database) {}

  acquire(connectionId: string, holder: string, now: Date, ttlMs: number): LockResult {
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

  renew(connectionId: string, holder: string, now: Date, ttlMs: number): boolean {
    const r = this.db.prepare('UPDATE locks SET expires_at = ? WHERE connection_id = ? AND holder = ?').run(now.getTime() + ttlMs, connectionId, holder);
    return r.changes === 1;
  }

  release(connectionId: string, holder: string): void {
    this.db.prepare('DELETE FROM locks WHERE connection_id = ? AND holder = ?').run(connectionId, holder);
  }
}
