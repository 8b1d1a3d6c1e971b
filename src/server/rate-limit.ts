/**
 * Counts login attempts per client IP and per user name in fixed windows. A key over its limit
 * is refused until its window ends, whether or not the password would be right, so guessing
 * cannot go faster than the limit. Attempts are counted before the (slow) password check, so
 * a burst of parallel requests cannot slip past the limit; a good login then clears the user's
 * count.
 */
export interface LoginLimits {
  perIp: number;
  perUser: number;
  windowMs: number;
}

interface Window {
  failures: number;
  resetAt: number;
}

export type LimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class LoginRateLimiter {
  private readonly byIp = new Map<string, Window>();
  private readonly byUser = new Map<string, Window>();

  constructor(private readonly limits: LoginLimits, private readonly now: () => number) {}

  check(ip: string, user: string): LimitDecision {
    const now = this.now();
    const waits = [
      this.wait(this.byIp, ip, this.limits.perIp, now),
      this.wait(this.byUser, normalizeUser(user), this.limits.perUser, now),
    ];
    const longest = Math.max(...waits);
    return longest > 0 ? { allowed: false, retryAfterSeconds: Math.ceil(longest / 1000) } : { allowed: true };
  }

  recordAttempt(ip: string, user: string): void {
    const now = this.now();
    this.bump(this.byIp, ip, now);
    this.bump(this.byUser, normalizeUser(user), now);
  }

  /** A good login clears the user's count (not the IP's, so one known account cannot reset it). */
  recordSuccess(user: string): void {
    this.byUser.delete(normalizeUser(user));
  }

  private wait(map: Map<string, Window>, key: string, limit: number, now: number): number {
    const w = map.get(key);
    if (!w) return 0;
    if (w.resetAt <= now) {
      map.delete(key);
      return 0;
    }
    return w.failures >= limit ? w.resetAt - now : 0;
  }

  private bump(map: Map<string, Window>, key: string, now: number): void {
    const w = map.get(key);
    if (!w || w.resetAt <= now) {
      if (map.size > 50_000) this.prune(map, now);
      map.set(key, { failures: 1, resetAt: now + this.limits.windowMs });
    } else {
      w.failures += 1;
    }
  }

  private prune(map: Map<string, Window>, now: number): void {
    for (const [k, w] of map) if (w.resetAt <= now) map.delete(k);
  }
}

function normalizeUser(user: string): string {
  return user.trim().toLowerCase().slice(0, 200);
}
