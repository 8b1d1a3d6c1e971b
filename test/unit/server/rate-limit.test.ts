import { describe, expect, it } from 'vitest';
import { LoginRateLimiter } from '../../../src/server/rate-limit.ts';

describe('LoginRateLimiter', () => {
  it('blocks a user after perUser failures until the window ends, from any IP', () => {
    let t = 0;
    const l = new LoginRateLimiter({ perIp: 100, perUser: 3, windowMs: 60_000 }, () => t);
    for (let i = 0; i < 3; i++) {
      expect(l.check(`10.0.0.${i}`, 'admin')).toEqual({ allowed: true });
      l.recordAttempt(`10.0.0.${i}`, 'admin');
    }
    t = 10_000;
    expect(l.check('10.9.9.9', ' ADMIN ')).toEqual({ allowed: false, retryAfterSeconds: 50 });
    t = 60_000;
    expect(l.check('10.9.9.9', 'admin')).toEqual({ allowed: true });
  });

  it('blocks an IP after perIp failures whatever the user', () => {
    const l = new LoginRateLimiter({ perIp: 2, perUser: 100, windowMs: 60_000 }, () => 0);
    l.recordAttempt('1.1.1.1', 'a');
    l.recordAttempt('1.1.1.1', 'b');
    expect(l.check('1.1.1.1', 'c').allowed).toBe(false);
    expect(l.check('2.2.2.2', 'c').allowed).toBe(true);
  });

  it('clears the user count on success but not the IP count (successes count there too)', () => {
    const l = new LoginRateLimiter({ perIp: 2, perUser: 2, windowMs: 60_000 }, () => 0);
    l.recordAttempt('1.1.1.1', 'admin');
    l.recordAttempt('1.1.1.1', 'admin');
    l.recordSuccess('admin');
    expect(l.check('2.2.2.2', 'admin').allowed).toBe(true);
    expect(l.check('1.1.1.1', 'other').allowed).toBe(false);
  });
});
