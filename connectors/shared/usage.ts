import type { ApiUsage } from '../../src/contract/connector.ts';

/** API calls of one connector, by kind, as the run reports them. */
export class UsageCounter {
  private readonly counts: ApiUsage = {};

  count(kind: string, n = 1): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + n;
  }

  /** A copy, with `extra` kinds added when they are not zero. */
  usage(extra: ApiUsage = {}): ApiUsage {
    const out: ApiUsage = { ...this.counts };
    for (const [k, v] of Object.entries(extra)) if (v > 0) out[k] = (out[k] ?? 0) + v;
    return out;
  }
}
