import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SourceId } from '../contract/connector.ts';

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

/**
 * Server-side session table in memory. The cookie carries only `<id>.<hmac>`, so a forged or
 * guessed id is rejected before any lookup.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly options: SessionOptions) {}

  create(user: string | null): Session {
    this.sweep();
    if (this.sessions.size >= this.options.maxSessions) this.evictOne();
    const now = this.options.now();
    const session: Session = {
      id: randomToken(),
      user,
      csrfToken: randomToken(),
      createdAt: now,
      lastSeenAt: now,
      installs: new Map(),
      flash: null,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session named by a cookie value, touched; null when unknown, forged or expired. */
  fromCookie(cookieValue: string | undefined): Session | null {
    if (!cookieValue) return null;
    const dot = cookieValue.lastIndexOf('.');
    if (dot <= 0) return null;
    const id = cookieValue.slice(0, dot);
    if (!safeEqual(cookieValue.slice(dot + 1), this.sign(id))) return null;
    const session = this.sessions.get(id);
    if (!session) return null;
    const now = this.options.now();
    if (this.expired(session, now)) {
      this.sessions.delete(id);
      return null;
    }
    session.lastSeenAt = now;
    return session;
  }

  cookieValue(session: Session): string {
    return `${session.id}.${this.sign(session.id)}`;
  }

  destroy(session: Session): void {
    this.sessions.delete(session.id);
  }

  get size(): number {
    return this.sessions.size;
  }

  sweep(): void {
    const now = this.options.now();
    for (const [id, s] of this.sessions) if (this.expired(s, now)) this.sessions.delete(id);
  }

  private expired(s: Session, now: number): boolean {
    const idle = s.user === null ? this.options.anonymousIdleMs : this.options.idleMs;
    return now - s.lastSeenAt > idle || now - s.createdAt > this.options.maxAgeMs;
  }

  private evictOne(): void {
    let victim: Session | null = null;
    for (const s of this.sessions.values()) {
      const better = victim === null || (s.user === null && victim.user !== null) ||
        ((s.user === null) === (victim.user === null) && s.lastSeenAt < victim.lastSeenAt);
      if (better) victim = s;
    }
    if (victim) this.sessions.delete(victim.id);
  }

  private sign(id: string): string {
    return createHmac('sha256', this.options.secret).update(id).digest('base64url');
  }
}
