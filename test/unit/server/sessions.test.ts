import { describe, expect, it } from 'vitest';
import { SessionStore, type Session } from '../../../src/server/sessions.ts';
import { MemoryServerState, type ServerSharedState } from '../../../src/server/shared-state.ts';

function store(now: { t: number }, maxSessions = 100, state: ServerSharedState = new MemoryServerState()) {
  return new SessionStore({ secret: 's'.repeat(32), idleMs: 1000, maxAgeMs: 5000, anonymousIdleMs: 200, maxSessions, now: () => now.t }, state);
}

/** One request: the session read from its cookie and written back when the response ends. */
async function use(s: SessionStore, cookie: string): Promise<Session | null> {
  const session = await s.fromCookie(cookie);
  if (session) await s.save(session);
  return session;
}

describe('SessionStore', () => {
  it('finds a session by its signed cookie and refuses a forged signature or unknown id', async () => {
    const now = { t: 0 };
    const state = new MemoryServerState();
    const s = store(now, 100, state);
    const session = await s.create('admin');
    const cookie = s.cookieValue(session);
    expect((await s.fromCookie(cookie))?.id).toBe(session.id);
    expect(await s.fromCookie(`${session.id}.x`)).toBeNull();
    expect(await s.fromCookie(session.id)).toBeNull();
    expect(await s.fromCookie(undefined)).toBeNull();
    // Another process with the same secret and database knows it; another secret does not.
    expect((await store(now, 100, state).fromCookie(cookie))?.user).toBe('admin');
    expect(await new SessionStore({ secret: 't'.repeat(32), idleMs: 1000, maxAgeMs: 5000, anonymousIdleMs: 200, maxSessions: 9, now: () => now.t }, state).fromCookie(cookie)).toBeNull();
  });

  it('expires after the idle time, each use moving it on, and after the maximum age regardless', async () => {
    const now = { t: 0 };
    const s = store(now);
    const cookie = s.cookieValue(await s.create('admin'));
    for (let i = 0; i < 4; i++) {
      now.t += 999;
      expect(await use(s, cookie)).not.toBeNull();
    }
    now.t = 5001;
    expect(await s.fromCookie(cookie)).toBeNull();
    const idle = s.cookieValue(await s.create('admin'));
    now.t += 1001;
    expect(await s.fromCookie(idle)).toBeNull();
  });

  it('gives anonymous sessions a shorter idle time', async () => {
    const now = { t: 0 };
    const s = store(now);
    const cookie = s.cookieValue(await s.create(null));
    now.t = 200;
    expect(await s.fromCookie(cookie)).not.toBeNull();
    now.t = 201;
    expect(await s.fromCookie(cookie)).toBeNull();
  });

  it('evicts an anonymous session first when full', async () => {
    const now = { t: 0 };
    const s = store(now, 2);
    const admin = s.cookieValue(await s.create('admin'));
    now.t = 1;
    const anon = s.cookieValue(await s.create(null));
    now.t = 2;
    await s.create('admin');
    expect(await s.fromCookie(anon)).toBeNull();
    expect(await s.fromCookie(admin)).not.toBeNull();
  });

  it('keeps a flash and pending installs across processes, and never writes back a destroyed session', async () => {
    const now = { t: 0 };
    const state = new MemoryServerState();
    const a = store(now, 100, state);
    const b = store(now, 100, state);
    const cookie = a.cookieValue(await a.create('admin'));
    const onA = await a.fromCookie(cookie);
    if (!onA) throw new Error('no session');
    onA.flash = { kind: 'ok', message: 'Saved.' };
    onA.installs.set('state-1', { crm: 'x', params: { host: 'h' }, codeVerifier: 'v', expiresAt: 99 });
    await a.save(onA);
    const onB = await b.fromCookie(cookie);
    expect(onB?.flash).toEqual({ kind: 'ok', message: 'Saved.' });
    expect(onB?.installs.get('state-1')).toEqual({ crm: 'x', params: { host: 'h' }, codeVerifier: 'v', expiresAt: 99 });
    if (!onB) throw new Error('no session');
    await b.destroy(onB);
    await b.save(onB);
    expect(await a.fromCookie(cookie)).toBeNull();
  });
});
