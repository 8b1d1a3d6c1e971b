import { describe, expect, it } from 'vitest';
import { LoginRateLimiter, type LimitDecision } from '../../../src/server/rate-limit.ts';
import { MemoryServerState } from '../../../src/server/shared-state.ts';

/** One login attempt: allowed or not, and if allowed, right or wrong. */
async function attempt(l: LoginRateLimiter, ip: string, user: string, right: boolean): Promise<LimitDecision['allowed']> {
  const d = await l.begin(ip, user);
  if (d.allowed && right) await d.attempt.succeeded();
  return d.allowed;
}

describe('LoginRateLimiter', () => {
  it('stops one address after perUser failures for a user, until its window ends, even with the right password', async () => {
    let t = 0;
    const l = new LoginRateLimiter({ perIp: 100, perUser: 3, windowMs: 60_000 }, () => t, new MemoryServerState());
    for (let i = 0; i < 3; i++) expect(await attempt(l, '10.0.0.1', 'admin', false)).toBe(true);
    t = 10_000;
    expect(await l.begin('10.0.0.1', ' ADMIN ')).toEqual({ allowed: false, retryAfterSeconds: 50 });
    t = 60_000;
    expect(await attempt(l, '10.0.0.1', 'admin', true)).toBe(true);
  });

  it('never locks the admin out from a clean address, however many addresses failed (no global lockout)', async () => {
    const l = new LoginRateLimiter({ perIp: 20, perUser: 5, windowMs: 60_000 }, () => 0, new MemoryServerState());
    for (let i = 1; i <= 6; i++) expect(await attempt(l, `10.0.0.${i}`, 'admin', false)).toBe(true);
    // Past the user's limit, an address that already failed gets no further try for the user...
    expect(await attempt(l, '10.0.0.1', 'admin', false)).toBe(false);
    // ...but a clean one does, and the right password goes through.
    expect(await attempt(l, '10.0.0.7', 'admin', true)).toBe(true);
  });

  it('stops an address after perIp failures whatever the user', async () => {
    const l = new LoginRateLimiter({ perIp: 2, perUser: 100, windowMs: 60_000 }, () => 0, new MemoryServerState());
    await attempt(l, '1.1.1.1', 'a', false);
    await attempt(l, '1.1.1.1', 'b', false);
    expect(await attempt(l, '1.1.1.1', 'c', true)).toBe(false);
    expect(await attempt(l, '2.2.2.2', 'c', true)).toBe(true);
  });

  it('counts failures only: successful logins never use up an address\'s allowance', async () => {
    const l = new LoginRateLimiter({ perIp: 2, perUser: 2, windowMs: 60_000 }, () => 0, new MemoryServerState());
    for (let i = 0; i < 10; i++) expect(await attempt(l, '1.1.1.1', 'admin', true)).toBe(true);
    expect(await attempt(l, '1.1.1.1', 'admin', false)).toBe(true);
    expect(await attempt(l, '1.1.1.1', 'admin', true)).toBe(true);
  });

  it('a right password clears the user\'s counts but not the address\'s failures', async () => {
    const l = new LoginRateLimiter({ perIp: 2, perUser: 2, windowMs: 60_000 }, () => 0, new MemoryServerState());
    await attempt(l, '1.1.1.1', 'admin', false);
    await attempt(l, '1.1.1.1', 'admin', false);
    expect(await attempt(l, '2.2.2.2', 'admin', true)).toBe(true);
    expect(await attempt(l, '1.1.1.1', 'other', false)).toBe(false);
  });
});
