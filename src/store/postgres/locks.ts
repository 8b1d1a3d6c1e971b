import { z } from 'zod';
import type { LockResult } from '../types.ts';
import type { Db } from './db.ts';

const holderRow = z.object({ holder: z.string(), expires_at: z.union([z.string(), z.number()]) });

/**
 * The per-connection run lock: a row with its holder and an expiry, as in the SQLite store.
 * Every rule about who may hold it lives here.
 */
export class PgLocks {
  constructor(private readonly db: Db) {}

  async acquire(connectionId: string, holder: string, now: Date, ttlMs: number): Promise<LockResult> {
    // Taken in one statement (ours already, or expired): two processes racing for a free or
    // expired lock are ordered by the row's own lock, and exactly one gets it.
    for (let attempt = 0; attempt < 10; attempt++) {
      const taken = await this.db.query(
        `INSERT INTO locks (connection_id, holder, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (connection_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE locks.holder = excluded.holder OR locks.expires_at <= $4
         RETURNING holder`,
        [connectionId, holder, now.getTime() + ttlMs, now.getTime()],
      );
      if (taken.rowCount === 1) return { acquired: true };
      const { rows } = await this.db.query('SELECT holder, expires_at FROM locks WHERE connection_id = $1', [connectionId]);
      // Released between the two statements: try again.
      if (rows.length === 0) continue;
      const row = holderRow.parse(rows[0]);
      return { acquired: false, holder: row.holder, expiresAt: new Date(Number(row.expires_at)) };
    }
    throw new Error(`the lock of connection ${connectionId} kept changing hands while it was being taken`);
  }

  async renew(connectionId: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
    const r = await this.db.query('UPDATE locks SET expires_at = $1 WHERE connection_id = $2 AND holder = $3', [now.getTime() + ttlMs, connectionId, holder]);
    return r.rowCount === 1;
  }

  async release(connectionId: string, holder: string): Promise<void> {
    await this.db.query('DELETE FROM locks WHERE connection_id = $1 AND holder = $2', [connectionId, holder]);
  }
}
