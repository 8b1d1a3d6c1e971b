import { z } from 'zod';
import { processIsGone, type LockOwner, type LockTakeover, type ProcessIdentity } from '../holder.ts';
import type { LockResult } from '../types.ts';
import type { Db } from './db.ts';
import { liveSessions, sessionKey, type PresenceSession } from './presence.ts';

const lockRow = z.object({
  holder: z.string(),
  expires_at: z.union([z.string(), z.number()]),
  host: z.string().nullable(),
  pid: z.number().nullable(),
  process_started: z.string().nullable(),
  session_pid: z.number().nullable(),
  session_started: z.string().nullable(),
});
type LockRow = z.infer<typeof lockRow>;

function ownerOf(r: LockRow): LockOwner {
  return { runId: r.holder, host: r.host ?? '(unknown)', pid: r.pid ?? 0, startedAt: r.process_started ?? '', sessionPid: r.session_pid, sessionStartedAt: r.session_started };
}

/**
 * The per-connection run lock: a row with its holder (run, host, process, start, and the
 * holder's database session) and a short expiry its heartbeat keeps moving. A holder whose
 * session the server no longer runs, or a process of this host that is gone, is taken over at
 * once; any other live holder only once its lock expired. Every rule about who may hold it
 * lives here.
 */
export class PgLocks {
  constructor(private readonly db: Db, private readonly presence: PresenceSession, private readonly self: () => ProcessIdentity) {}

  async acquire(connectionId: string, holder: string, now: Date, ttlMs: number): Promise<LockResult> {
    const session = await this.presence.session();
    const me = this.self();
    const values = [connectionId, holder, now.getTime() + ttlMs, me.host, me.pid, me.startedAt, session.pid, session.started, now.getTime()];
    for (let attempt = 0; attempt < 10; attempt++) {
      // Taken in one statement (free, ours already, or expired): racing processes are ordered
      // by the row's own lock, and exactly one gets it.
      const { rows: previousRows } = await this.db.query('SELECT holder, expires_at, host, pid, process_started, session_pid, session_started FROM locks WHERE connection_id = $1', [connectionId]);
      const previous = previousRows[0] === undefined ? null : lockRow.parse(previousRows[0]);
      const taken = await this.db.query(
        `INSERT INTO locks (connection_id, holder, expires_at, host, pid, process_started, session_pid, session_started, acquired_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (connection_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at, host = excluded.host, pid = excluded.pid,
           process_started = excluded.process_started, session_pid = excluded.session_pid, session_started = excluded.session_started,
           acquired_at = CASE WHEN locks.holder = excluded.holder THEN locks.acquired_at ELSE excluded.acquired_at END
         WHERE locks.holder = excluded.holder OR locks.expires_at <= $10
         RETURNING holder`,
        [...values, now.getTime()],
      );
      if (taken.rowCount === 1) {
        if (previous === null || previous.holder === holder) return { acquired: true };
        // Expired, but said as what it is when the holder is provably gone too.
        return { acquired: true, takenOver: { previous: ownerOf(previous), reason: (await this.goneReason(previous)) ?? 'expired' } };
      }
      const { rows } = await this.db.query('SELECT holder, expires_at, host, pid, process_started, session_pid, session_started FROM locks WHERE connection_id = $1', [connectionId]);
      // Released between the two statements: try again.
      if (rows.length === 0) continue;
      const row = lockRow.parse(rows[0]);
      const reason = await this.goneReason(row);
      if (reason === null) {
        return { acquired: false, holder: row.holder, expiresAt: new Date(Number(row.expires_at)), owner: ownerOf(row) };
      }
      // Only from the holder seen gone: if another process took it over meanwhile, look again.
      const over = await this.db.query(
        `UPDATE locks SET holder = $2, expires_at = $3, host = $4, pid = $5, process_started = $6, session_pid = $7, session_started = $8, acquired_at = $9
         WHERE connection_id = $1 AND holder = $10 AND session_pid IS NOT DISTINCT FROM $11`,
        [...values, row.holder, row.session_pid],
      );
      if (over.rowCount === 1) {
        const takenOver: LockTakeover = { previous: ownerOf(row), reason };
        return { acquired: true, takenOver };
      }
    }
    throw new Error(`the lock of connection ${connectionId} kept changing hands while it was being taken`);
  }

  private async goneReason(row: LockRow): Promise<'session-gone' | 'process-gone' | null> {
    if (row.session_pid !== null && row.session_started !== null) {
      const id = { pid: row.session_pid, started: row.session_started };
      if (!(await liveSessions(this.db, [id])).has(sessionKey(id))) return 'session-gone';
    }
    if (row.host !== null && row.pid !== null && row.process_started !== null) {
      if (processIsGone({ host: row.host, pid: row.pid, startedAt: row.process_started }, this.self())) return 'process-gone';
    }
    return null;
  }

  async renew(connectionId: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
    // A replaced presence session is recorded, so that the lock names the session that lives.
    const session = await this.presence.session();
    const r = await this.db.query('UPDATE locks SET expires_at = $1, session_pid = $4, session_started = $5 WHERE connection_id = $2 AND holder = $3',
      [now.getTime() + ttlMs, connectionId, holder, session.pid, session.started]);
    return r.rowCount === 1;
  }

  async release(connectionId: string, holder: string): Promise<void> {
    await this.db.query('DELETE FROM locks WHERE connection_id = $1 AND holder = $2', [connectionId, holder]);
  }
}
