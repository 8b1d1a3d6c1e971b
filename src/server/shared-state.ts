/**
 * What the server keeps in the database so that any number of `serve` processes behind a load
 * balancer behave as one: console sessions and login failure counters. The store implements
 * it (both stores, one contract); `MemoryServerState` serves a server started without one.
 */
import type { ConsoleStore, FailureCount, StoredWebSession } from '../store/types.ts';

export type { FailureCount, StoredWebSession };

/** The part of the console store the server's sessions and login throttling need. */
export type ServerSharedState = Pick<
  ConsoleStore,
  | 'saveWebSession'
  | 'getWebSession'
  | 'deleteWebSession'
  | 'pruneWebSessions'
  | 'loginFailures'
  | 'addLoginFailure'
  | 'takeBackLoginFailure'
  | 'clearLoginFailures'
>;

/** The same rules in this process's memory: for a server with no database behind it (tests, fakes). */
export class MemoryServerState implements ServerSharedState {
  private readonly sessions = new Map<string, StoredWebSession>();
  private readonly failures = new Map<string, FailureCount>();

  async saveWebSession(session: StoredWebSession): Promise<void> {
    const prior = this.sessions.get(session.id);
    this.sessions.set(session.id, { ...session, createdAt: prior?.createdAt ?? session.createdAt });
  }

  async getWebSession(id: string, now: number): Promise<StoredWebSession | null> {
    const s = this.sessions.get(id);
    return s && s.expiresAt > now ? { ...s } : null;
  }

  async deleteWebSession(id: string): Promise<void> {
    this.sessions.delete(id);
  }

  async pruneWebSessions(now: number, keep: number): Promise<number> {
    let gone = 0;
    for (const [id, s] of this.sessions) if (s.expiresAt <= now && this.sessions.delete(id)) gone++;
    const excess = this.sessions.size - keep;
    if (excess > 0) {
      const order = [...this.sessions.values()].sort((a, b) => Number(a.user !== null) - Number(b.user !== null) || a.lastSeenAt - b.lastSeenAt || (a.id < b.id ? -1 : 1));
      for (const s of order.slice(0, excess)) if (this.sessions.delete(s.id)) gone++;
    }
    return gone;
  }

  async loginFailures(keys: string[], now: number): Promise<Record<string, FailureCount>> {
    const out: Record<string, FailureCount> = {};
    for (const k of keys) {
      const f = this.failures.get(k);
      if (f && f.windowEndsAt > now) out[k] = { ...f };
    }
    return out;
  }

  async addLoginFailure(keys: string[], now: number, windowMs: number): Promise<Record<string, FailureCount>> {
    const out: Record<string, FailureCount> = {};
    if (this.failures.size > 50_000) for (const [k, f] of this.failures) if (f.windowEndsAt <= now) this.failures.delete(k);
    for (const k of new Set(keys)) {
      const f = this.failures.get(k);
      const next = f && f.windowEndsAt > now ? { failures: f.failures + 1, windowEndsAt: f.windowEndsAt } : { failures: 1, windowEndsAt: now + windowMs };
      this.failures.set(k, next);
      out[k] = { ...next };
    }
    return out;
  }

  async takeBackLoginFailure(keys: string[]): Promise<void> {
    for (const k of keys) {
      const f = this.failures.get(k);
      if (!f) continue;
      if (f.failures <= 1) this.failures.delete(k);
      else f.failures -= 1;
    }
  }

  async clearLoginFailures(keys: string[]): Promise<void> {
    for (const k of keys) this.failures.delete(k);
  }
}
