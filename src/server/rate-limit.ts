import { createHash } from 'node:crypto';
import type { ServerSharedState } from './shared-state.ts';

const digest = (text: string): string => createHash('sha256').update(text).digest('base64url');

/**
 * Login throttling that no stranger can turn against the admin. Only failures count (an
 * attempt is counted as it starts and taken back if the password was right, so parallel
 * guesses cannot slip past a limit), in fixed windows that start at the first failure, in the
 * database, so every server process sees the same counts:
 *
 * - per address: `perIp` failures, whatever the user name, stop that address;
 * - per address and user: `perUser` failures for one user from one address stop that pair;
 * - per user, over every address: past `perUser` failures, addresses that already failed in
 *   the window are stopped for that user, but an address with no failure still gets its try.
 *
 * So guessing from many addresses is slowed, and the admin typing the right password from a
 * clean address is never refused: there is no global account lockout.
 */
export interface LoginLimits {
  perIp: number;
  perUser: number;
  windowMs: number;
}

export type LimitDecision = { allowed: true; attempt: LoginAttempt } | { allowed: false; retryAfterSeconds: number };

export interface LoginAttempt {
  /** The password was right: the attempt was no failure. */
  succeeded(): Promise<void>;
}

function normalizeUser(user: string): string {
  return user.trim().toLowerCase().slice(0, 200);
}

export class LoginRateLimiter {
  constructor(private readonly limits: LoginLimits, private readonly now: () => number, private readonly state: ServerSharedState) {}

  /** Counts the attempt as a failure and decides; a refused attempt is not counted. */
  async begin(ip: string, user: string): Promise<LimitDecision> {
    const u = normalizeUser(user);
    // User names are typed by strangers: kept as digests, never as raw text in the database.
    const keys = { ip: `ip:${ip}`, pair: `ip-user:${digest(`${ip}\u0000${u}`)}`, user: `user:${digest(u)}` };
    const all = [keys.ip, keys.pair, keys.user];
    const now = this.now();
    const counts = await this.state.addLoginFailure(all, now, this.limits.windowMs);
    const count = (k: string): number => counts[k]?.failures ?? 0;
    const blocking: string[] = [];
    if (count(keys.ip) > this.limits.perIp) blocking.push(keys.ip);
    if (count(keys.pair) > this.limits.perUser) blocking.push(keys.pair);
    // The address failed before in this window (this attempt is not its first): no more tries for this user.
    if (count(keys.user) > this.limits.perUser && count(keys.ip) > 1) blocking.push(keys.user);
    if (blocking.length > 0) {
      await this.state.takeBackLoginFailure(all);
      const until = Math.max(...blocking.map((k) => counts[k]?.windowEndsAt ?? now));
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) };
    }
    return {
      allowed: true,
      attempt: {
        succeeded: async () => {
          await this.state.takeBackLoginFailure([keys.ip]);
          // The user's counts go: whoever knows the password is the user.
          await this.state.clearLoginFailures([keys.pair, keys.user]);
        },
      },
    };
  }
}
