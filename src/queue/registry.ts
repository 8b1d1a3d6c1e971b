import { hostname } from 'node:os';
import type { Pool } from 'pg';
import type { Logger } from '../log.ts';
import { liveSessions, sessionKey, type SessionId } from '../store/postgres/presence.ts';

/** The graphile-worker id of one slot of a worker process: the process id names its slots. */
export const slotId = (processId: string, slot: number): string => `${processId}-${slot}`;

/**
 * Worker processes, each with the database session that proves it alive. A process whose
 * session the server no longer runs has died (kill -9, a lost host): its jobs are unlocked at
 * once so that another worker resumes them, instead of waiting graphile-worker's four hours.
 */
export class WorkerRegistry {
  constructor(private readonly pool: Pool, private readonly logger: Logger) {}

  async register(processId: string, concurrency: number, session: SessionId): Promise<void> {
    await this.pool.query(
      `INSERT INTO worker_processes (id, host, pid, concurrency, session_pid, session_started, started_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET session_pid = excluded.session_pid, session_started = excluded.session_started`,
      [processId, hostname(), process.pid, concurrency, session.pid, session.started, new Date().toISOString()],
    );
  }

  async unregister(processId: string): Promise<void> {
    await this.pool.query('DELETE FROM worker_processes WHERE id = $1', [processId]);
  }

  /**
   * Finds the dead worker processes, hands their slots to `unlock` (graphile-worker's
   * forceUnlockWorkers) and forgets them; returns the dead ones' ids.
   */
  async reap(unlock: (workerIds: string[]) => Promise<void>): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string; host: string; pid: number; concurrency: number; session_pid: number; session_started: string }>(
      'SELECT id, host, pid, concurrency, session_pid, session_started FROM worker_processes',
    );
    if (rows.length === 0) return [];
    const live = await liveSessions(this.pool, rows.map((r) => ({ pid: r.session_pid, started: r.session_started })));
    const dead = rows.filter((r) => !live.has(sessionKey({ pid: r.session_pid, started: r.session_started })));
    for (const d of dead) {
      await unlock(Array.from({ length: d.concurrency }, (_, i) => slotId(d.id, i)));
      await this.pool.query('DELETE FROM worker_processes WHERE id = $1', [d.id]);
      this.logger.warn({ workerProcess: d.id, host: d.host, pid: d.pid }, 'worker process gone (its database session ended): its jobs are unlocked for another worker');
    }
    return dead.map((d) => d.id);
  }
}
