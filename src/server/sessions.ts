import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { SourceId } from '../contract/connector.ts';
import type { ServerSharedState } from './shared-state.ts';

/** An OAuth install the admin started from this session and has not come back from yet. */
export interface PendingInstall {
  crm: SourceId;
  /** The admin's choices as the source module normalised them (e.g. a login host). */
  params: Record<string, string>;
  codeVerifier: string;
  expiresAt: number;
}

export interface Session {
  id: string;
  /** Null for the anonymous session that only carries the login form's CSRF token. */
  user: string | null;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  /** By OAuth state. */
  installs: Map<string, PendingInstall>;
  flash: { kind: 'ok' | 'error'; message: string } | null;
}

export interface SessionOptions {
  secret: string;
  idleMs: number;
  maxAgeMs: number;
  /** Anonymous sessions live shorter and are the first to go when the table is full. */
  anonymousIdleMs: number;
  maxSessions: number;
  now: () => number;
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const sessionData = z.object({
  csrfToken: z.string(),
  installs: z.array(z.tuple([z.string(), z.object({ crm: z.string(), params: z.record(z.string(), z.string()), codeVerifier: z.string(), expiresAt: z.number() })])),
  flash: z.object({ kind: z.enum(['ok', 'error']), message: z.string() }).nullable(),
});

/**
 * Server-side sessions kept in the database (the store's web_sessions), so that every server
 * process behind a load balancer knows every session. The cookie carries only `<id>.<hmac>`,
 * so a forged or guessed id is rejected before any lookup.
 */
export class SessionStore {
  /** What each loaded session looked like when read, to write back only what changed. */
  private readonly loaded = new WeakMap<Session, { data: string; lastSeenAt: number }>();
  private readonly destroyed = new WeakSet<Session>();

  constructor(private readonly options: SessionOptions, private readonly state: ServerSharedState) {}

  async create(user: string | null): Promise<Session> {
    const now = this.options.now();
    await this.state.pruneWebSessions(now, this.options.maxSessions - 1);
    const session: Session = { id: randomToken(), user, csrfToken: randomToken(), createdAt: now, lastSeenAt: now, installs: new Map(), flash: null };
    await this.write(session);
    return session;
  }

  /** The live session named by a cookie value, touched; null when unknown, forged or expired. */
  async fromCookie(cookieValue: string | undefined): Promise<Session | null> {
    if (!cookieValue) return null;
    const dot = cookieValue.lastIndexOf('.');
    if (dot <= 0) return null;
    const id = cookieValue.slice(0, dot);
    if (!safeEqual(cookieValue.slice(dot + 1), this.sign(id))) return null;
    const now = this.options.now();
    const stored = await this.state.getWebSession(id, now);
    if (!stored) return null;
    const parsed = sessionData.safeParse(JSON.parse(stored.data));
    if (!parsed.success) {
      await this.state.deleteWebSession(id);
      return null;
    }
    const session: Session = {
      id, user: stored.user, csrfToken: parsed.data.csrfToken, createdAt: stored.createdAt, lastSeenAt: now,
      installs: new Map(parsed.data.installs), flash: parsed.data.flash,
    };
    this.loaded.set(session, { data: stored.data, lastSeenAt: stored.lastSeenAt });
    return session;
  }

  /**
   * Writes the session back if it changed; never a destroyed one. Its last use moves its idle
   * expiry, but a session whose data did not change is touched in the database at most once per
   * tenth of its idle time (and at most every minute): a page view is then a read, not a write,
   * and the idle expiry is at most that much early.
   */
  async save(session: Session): Promise<void> {
    if (this.destroyed.has(session)) return;
    const before = this.loaded.get(session);
    if (before && before.data === this.dataOf(session) && session.lastSeenAt - before.lastSeenAt < this.touchEveryMs(session)) return;
    await this.write(session);
  }

  private touchEveryMs(session: Session): number {
    const idle = session.user === null ? this.options.anonymousIdleMs : this.options.idleMs;
    return Math.min(60_000, Math.floor(idle / 10));
  }

  cookieValue(session: Session): string {
    return `${session.id}.${this.sign(session.id)}`;
  }

  async destroy(session: Session): Promise<void> {
    this.destroyed.add(session);
    await this.state.deleteWebSession(session.id);
  }

  private async write(session: Session): Promise<void> {
    const data = this.dataOf(session);
    const idle = session.user === null ? this.options.anonymousIdleMs : this.options.idleMs;
    const expiresAt = Math.min(session.lastSeenAt + idle, session.createdAt + this.options.maxAgeMs) + 1;
    await this.state.saveWebSession({ id: session.id, user: session.user, data, createdAt: session.createdAt, lastSeenAt: session.lastSeenAt, expiresAt });
    this.loaded.set(session, { data, lastSeenAt: session.lastSeenAt });
  }

  private dataOf(session: Session): string {
    return JSON.stringify({ csrfToken: session.csrfToken, installs: [...session.installs], flash: session.flash });
  }

  private sign(id: string): string {
    return createHmac('sha256', this.options.secret).update(id).digest('base64url');
  }
}
