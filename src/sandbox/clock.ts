import type { ServerResponse } from 'node:http';

/**
 * The simulator's clock for record stamps. Following the wall clock, stamps never go backwards
 * and never run ahead of it: records written together share a stamp, as in the real CRMs (a
 * bulk update of 50,000 records does not spread them 50 seconds into the future), so the
 * connectors' tie handling is exercised. With a start time given, it only moves when stamped
 * or advanced, each stamp strictly after the last (deterministic tests).
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
    this.last = this.manual ? this.last + 1 : Math.max(this.last, Date.now() + this.offset);
    return this.last;
  }

  /**
   * Stamps for loading a seed: consecutive, ending no later than now when following the wall
   * clock (so a large seed never pushes stamps into the future); past `count`, ordinary stamps.
   * Returns a function handing them out in order.
   */
  reserve(count: number): () => number {
    // Seeding comes before any read, so its stamps may lie before a stamp taken while the stores
    // were set up; what matters is that they end by now, not past it.
    const first = this.manual ? this.last + 1 : Date.now() + this.offset - count;
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

/**
 * Express middleware: every answer's `Date` header reads the simulator's clock, set when the
 * headers go out (as a real server stamps its answer after doing the work), so a connector
 * that anchors on the CRM's clock can be tested against a CRM whose clock differs from ours.
 */
export function clockDateHeader(clock: Pick<SandboxClock, 'peek'>) {
  return (_req: unknown, res: ServerResponse, next: () => void): void => {
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    const patched = (...args: unknown[]): ServerResponse => {
      if (!res.headersSent) res.setHeader('Date', new Date(clock.peek()).toUTCString());
      return writeHead(...args);
    };
    res.writeHead = patched as typeof res.writeHead;
    next();
  };
}
