import { expect, it } from 'vitest';
import { LoginRateLimiter } from '../../../src/server/rate-limit.ts';
import { SessionStore } from '../../../src/server/sessions.ts';
import { describeStores } from '../../support/stores.ts';

describeStores('store contract: console shared state', (h) => {
  it('keeps web sessions until they expire, prunes expired then least recently seen (anonymous first)', async () => {
    const store = await h.open();
    const other = await h.open();
    await store.saveWebSession({ id: 's1', user: 'admin', data: '{"a":1}', createdAt: 0, lastSeenAt: 10, expiresAt: 100 });
    await store.saveWebSession({ id: 's2', user: null, data: '{}', createdAt: 0, lastSeenAt: 20, expiresAt: 100 });
    await store.saveWebSession({ id: 's3', user: 'admin', data: '{}', createdAt: 0, lastSeenAt: 5, expiresAt: 50 });
    expect(await other.getWebSession('s1', 99)).toEqual({ id: 's1', user: 'admin', data: '{"a":1}', createdAt: 0, lastSeenAt: 10, expiresAt: 100 });
    expect(await other.getWebSession('s1', 100)).toBeNull();
    // An update keeps the creation time.
    await other.saveWebSession({ id: 's1', user: 'admin', data: '{"a":2}', createdAt: 7, lastSeenAt: 30, expiresAt: 120 });
    expect(await store.getWebSession('s1', 0)).toMatchObject({ data: '{"a":2}', createdAt: 0, lastSeenAt: 30, expiresAt: 120 });
    // At 60: s3 has expired; of s1 and s2, one must go to keep 1: the anonymous s2.
    expect(await store.pruneWebSessions(60, 1)).toBe(2);
    expect(await store.getWebSession('s1', 60)).not.toBeNull();
    expect(await store.getWebSession('s2', 60)).toBeNull();
    await store.deleteWebSession('s1');
    expect(await other.getWebSession('s1', 60)).toBeNull();
  });

  it('counts login failures in windows that start at the first failure, takes back and clears them', async () => {
    const a = await h.open();
    const b = await h.open();
    expect(await a.addLoginFailure(['ip:1', 'user:x'], 1_000, 60_000)).toEqual({ 'ip:1': { failures: 1, windowEndsAt: 61_000 }, 'user:x': { failures: 1, windowEndsAt: 61_000 } });
    expect(await b.addLoginFailure(['ip:1'], 30_000, 60_000)).toEqual({ 'ip:1': { failures: 2, windowEndsAt: 61_000 } });
    expect(await a.loginFailures(['ip:1', 'user:x', 'ip:2'], 60_999)).toEqual({ 'ip:1': { failures: 2, windowEndsAt: 61_000 }, 'user:x': { failures: 1, windowEndsAt: 61_000 } });
    expect(await a.loginFailures(['ip:1'], 61_000)).toEqual({});
    // A failure after the window starts a new one.
    expect(await b.addLoginFailure(['ip:1'], 61_000, 60_000)).toEqual({ 'ip:1': { failures: 1, windowEndsAt: 121_000 } });
    await a.takeBackLoginFailure(['ip:1', 'user:x']);
    expect(await b.loginFailures(['ip:1', 'user:x'], 61_000)).toEqual({});
    await a.addLoginFailure(['ip:3'], 0, 60_000);
    await a.addLoginFailure(['ip:3'], 0, 60_000);
    await a.takeBackLoginFailure(['ip:3']);
    expect(await b.loginFailures(['ip:3'], 0)).toEqual({ 'ip:3': { failures: 1, windowEndsAt: 60_000 } });
    await b.clearLoginFailures(['ip:3']);
    expect(await a.loginFailures(['ip:3'], 0)).toEqual({});
  });

  it('counts parallel failures from several processes each once', async () => {
    const stores = await Promise.all([1, 2, 3].map(() => h.open()));
    await Promise.all(stores.flatMap((s) => Array.from({ length: 5 }, () => s.addLoginFailure(['ip:9'], 0, 60_000))));
    expect(await stores[0]?.loginFailures(['ip:9'], 1)).toEqual({ 'ip:9': { failures: 15, windowEndsAt: 60_000 } });
  });

  it('remembers a delivery once until it expires', async () => {
    const a = await h.open();
    const b = await h.open();
    expect(await a.rememberOnce('sig-1', 300_000, 0)).toBe(true);
    expect(await b.rememberOnce('sig-1', 300_000, 299_999)).toBe(false);
    expect(await b.rememberOnce('sig-2', 300_000, 1)).toBe(true);
    // Forgotten once its window is over (a replay then fails the timestamp check instead).
    expect(await a.rememberOnce('sig-1', 600_000, 300_000)).toBe(true);
  });

  it('keeps run triggers and the API budget of an org per day, adding every process\'s calls', async () => {
    const a = await h.open();
    const b = await h.open();
    await a.setRunTrigger('run-1', 'schedule');
    await b.setRunTrigger('run-2', 'console');
    expect(await b.runTriggers(['run-1', 'run-2', 'run-3'])).toEqual({ 'run-1': 'schedule', 'run-2': 'console' });
    expect(await a.addApiUsage('org-1', '2026-06-30', 10, null, 't1')).toEqual({ org: 'org-1', day: '2026-06-30', used: 10, reportedUsed: null, reportedMax: null, updatedAt: 't1' });
    expect(await b.addApiUsage('org-1', '2026-06-30', 5, { used: 900, max: 100_000 }, 't2')).toEqual({ org: 'org-1', day: '2026-06-30', used: 15, reportedUsed: 900, reportedMax: 100_000, updatedAt: 't2' });
    // An older reading (lower count) from a slower worker never moves the org's usage back.
    expect(await a.addApiUsage('org-1', '2026-06-30', 1, { used: 850, max: 100_000 }, 't3')).toMatchObject({ used: 16, reportedUsed: 900 });
    expect(await b.apiBudget('org-1', '2026-07-01')).toBeNull();
    expect(await b.apiBudget('org-1', '2026-06-30')).toMatchObject({ used: 16, reportedUsed: 900, reportedMax: 100_000 });
  });

  it('serves the console\'s sessions and login throttle to every process on the database', async () => {
    const [a, b] = [await h.open(), await h.open()];
    let t = 1_000;
    const options = { secret: 's'.repeat(32), idleMs: 60_000, maxAgeMs: 3_600_000, anonymousIdleMs: 10_000, maxSessions: 100, now: () => t };
    const onA = new SessionStore(options, a);
    const onB = new SessionStore(options, b);
    const session = await onA.create('admin');
    session.flash = { kind: 'ok', message: 'Saved.' };
    await onA.save(session);
    t += 30_000;
    const seen = await onB.fromCookie(onA.cookieValue(session));
    expect(seen).toMatchObject({ id: session.id, user: 'admin', csrfToken: session.csrfToken, flash: { kind: 'ok', message: 'Saved.' } });
    const la = new LoginRateLimiter({ perIp: 3, perUser: 5, windowMs: 60_000 }, () => t, a);
    const lb = new LoginRateLimiter({ perIp: 3, perUser: 5, windowMs: 60_000 }, () => t, b);
    for (const l of [la, lb, la]) expect((await l.begin('1.2.3.4', `u${Math.random()}`)).allowed).toBe(true);
    expect(await lb.begin('1.2.3.4', 'admin')).toMatchObject({ allowed: false });
  });
});
