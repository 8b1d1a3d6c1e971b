/**
 * The simulator's clock for record stamps. Every stamp is strictly greater than the one before,
 * so incremental reads by modified time never see two writes at the same millisecond. It follows
 * the wall clock unless a start time is given, in which case it only moves when stamped or
 * advanced (deterministic tests).
 */
export class SandboxClock {
  private last: number;
  private offset = 0;
  private readonly manual: boolean;

  constructor(start?: number) {
    this.manual = start !== undefined;
    this.last = start ?? 0;
  }

  /** The current time without taking a stamp. */
  peek(): number {
    return this.manual ? this.last : Math.max(this.last, Date.now() + this.offset);
  }

  /** A new stamp, strictly after every stamp handed out before. */
  stamp(): number {
    const candidate = this.manual ? this.last + 1 : Date.now() + this.offset;
    this.last = Math.max(candidate, this.last + 1);
    return this.last;
  }

  /**
   * Reserves `count` consecutive stamps for loading a seed, ending no later than now when
   * following the wall clock, so a large seed does not push stamps into the future.
   * Returns a function handing them out in order.
   */
  reserve(count: number): () => number {
    const first = this.manual ? this.last + 1 : Math.max(this.last + 1, Date.now() + this.offset - count);
    this.last = Math.max(this.last, first + count - 1);
    let next = first;
    const end = first + count;
    return () => {
      if (next >= end) return this.stamp();
      next += 1;
      return next - 1;
    };
  }

  /** Moves time forward by `ms` (never backwards). */
  advance(ms: number): void {
    if (ms < 0) throw new Error('the sandbox clock cannot go backwards');
    if (this.manual) this.last += ms;
    else this.offset += ms;
  }
}
