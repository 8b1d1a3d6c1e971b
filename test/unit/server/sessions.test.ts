import { describe, expect, it } from 'vitest';
import { SessionStore } from '../../../src/server/sessions.ts';

function store(now: { t: number }, maxSessions = 100) {
  return new SessionStore({ secret: 's'.repeat(32), idleMs: 1000, maxAgeMs: 5000, anonymousIdleMs: 200, maxSessions, now: () => now.t });
}

describe('SessionStore', () => {
  it('finds a session by its signed cookie and refuses a forged signature or unknown id', () => {
    const now = { t: 0 };
    const s = store(now);
    const session = s.create('admin');
    const cookie = s.cookieValue(session);
    expect(s.fromCookie(cookie)?.id).toBe(session.id);
    expect(s.fromCookie(`${session.id}.x`)).toBeNull();
    expect(s.fromCookie(session.id)).toBeNull();
    expect(s.fromCookie(undefined)).toBeNull();
    const other = store(now);
    expect(other.fromCookie(cookie)).toBeNull();
  });

  it('expires after the idle time, each use moving it on, and after the maximum age regardless', () => {
    const now = { t: 0 };
    const s = store(now);
    const cookie = s.cookieValue(s.create('admin'));
    for (let i = 0; i < 4; i++) {
      now.t += 999;
      expect(s.fromCookie(cookie)).not.toBeNull();
    }
    now.t = 5001;
    expect(s.fromCookie(cookie)).toBeNull();
    const idle = s.cookieValue(s.create('admin'));
    now.t += 1001;
    expect(s.fromCookie(idle)).toBeNull();
  });

  it('gives anonymous sessions a shorter idle time', () => {
    const now = { t: 0 };
    const s = store(now);
    const cookie = s.cookieValue(s.create(null));
    now.t = 201;
    expect(s.fromCookie(cookie)).toBeNull();
  });

  it('evicts an anonymous session first when full', () => {
    const now = { t: 0 };
    const s = store(now, 2);
    const admin = s.cookieValue(s.create('admin'));
    now.t = 1;
    const anon = s.cookieValue(s.create(null));
    now.t = 2;
    s.create('admin');
    expect(s.size).toBe(2);
    expect(s.fromCookie(anon)).toBeNull();
    expect(s.fromCookie(admin)).not.toBeNull();
  });
});
