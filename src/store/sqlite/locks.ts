import type Database from 'better-sqlite3';
import { processIsGone, type LockOwner, type ProcessIdentity } from '../holder.ts';
import type { LockResult } from '../types.ts';

interface LockRow {
  holder: string;
  expires_at: number;
  host: string | null;
  pid: number | null;
  process_started: string | null;
}

function ownerOf(row: LockRow): LockOwner {
  return { runId: row.holder, host: row.host ?? '(unknown)', pid: row.pid ?? 0, startedAt: row.process_started ?? '', sessionPid: null, sessionStartedAt: null };
}

/**
 * The per-connection run lock: a row with its holder (run, host, process and its start) and a
 * short expiry the holder's heartbeat keeps moving. A holder on this host whose process is
 * gone is taken over at once; one elsewhere (or of an older Kamflow) only once it expired.
 * Every rule about who may hold it lives here.
 */
export class SqliteLocks {
  constructor(private readonly db: Database.Database, private readonly self: () => ProcessIdentity) {}

  acquire(connectionId: string, holder: string, now: Date, ttlMs: number): LockResult {
    return this.db.transaction((): LockResult => {
      const row = this.db.prepare('SELECT holder, expires_at, host, pid, process_started FROM locks WHERE connection_id = ?').get(connectionId) as LockRow | undefined;
      let result: LockResult = { acquired: true };
      if (row && row.holder !== holder) {
        const owner = ownerOf(row);
        if (row.host !== null && row.pid !== null && row.process_started !== null && processIsGone(owner, this.self())) {
          result = { acquired: true, takenOver: { previous: owner, reason: 'process-gone' } };
        } else if (row.expires_at <= now.getTime()) {
          result = { acquired: true, takenOver: { previous: owner, reason: 'expired' } };
        } else {
          return { acquired: false, holder: row.holder, expiresAt: new Date(row.expires_at), owner };
        }
      }
      const me = this.self();
      this.db
        .prepare(`INSERT INTO locks (connection_id, holder, expires_at, host, pid, process_started, acquired_at) VALUES (?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (connection_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at, host = excluded.host,
          pid = excluded.pid, process_started = excluded.process_started,
          acquired_at = CASE WHEN locks.holder = excluded.holder THEN locks.acquired_at ELSE excluded.acquired_at END`)
        .run(connectionId, holder, now.getTime() + ttlMs, me.host, me.pid, me.startedAt, now.getTime());
      return result;
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
