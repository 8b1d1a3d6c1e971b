/** API calls received, by CRM and endpoint name, for tests and benchmarks. */
export class CallCounter {
  private readonly counts = new Map<string, number>();
  private readonly limited = new Map<string, number>();
  /** Told of every call as it arrives, before it is answered (a test's way to act mid-run). */
  listener: ((crm: string, endpoint: string) => void) | null = null;

  add(crm: string, endpoint: string): void {
    const key = `${crm}.${endpoint}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.listener?.(crm, endpoint);
  }

  /** A call answered 429 for a rate limit (`policy`: HubSpot's policyName). */
  rateLimited(crm: string, policy: string): void {
    const key = `${crm}.${policy}`;
    this.limited.set(key, (this.limited.get(key) ?? 0) + 1);
  }

  /** Calls answered 429 by `crm.policy`, sorted by key. */
  rateLimitedSnapshot(): Record<string, number> {
    return Object.fromEntries([...this.limited.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Counts by `crm.endpoint`, sorted by key. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  total(crm?: string): number {
    let n = 0;
    for (const [key, v] of this.counts) if (!crm || key.startsWith(`${crm}.`)) n += v;
    return n;
  }

  reset(): void {
    this.counts.clear();
    this.limited.clear();
  }
}
