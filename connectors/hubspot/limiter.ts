/** While others' requests or a lowered budget hold it, a waiting request looks again this often (ms). */
const RECHECK_MS = 250;

/** One request's place in a limiter's window, from `acquire` until `release` plus the window. */
export interface Slot {
  readonly seq: number;
}

interface Held {
  seq: number;
  /** Until when the request counts in the window: unknown (Infinity) while it is in flight. */
  until: number;
}

/** What a response's rate-limit headers said (X-HubSpot-RateLimit-Max / -Remaining / -Interval-Milliseconds). */
export interface WindowReading {
  max: number | null;
  remaining: number;
  intervalMs: number;
}

/**
 * A rolling-window limiter owned by one connection. The SDK's Bottleneck limiter is
 * process-global, so two portals synced in one process would share (and reset) it.
 *
 * The service counts a request when it arrives, which is some time between its sending and its
 * answer. So a request holds its place from `acquire` until its answer (`release`) plus the
 * window: never earlier than the service lets it go, whatever the latency, and at most one
 * latency later.
 */
export class WindowLimiter {
  private held: Held[] = [];
  private queue: Promise<void> = Promise.resolve();
  private pausedUntil = 0;
  private seq = 0;
  private limit: number;
  private wake: (() => void)[] = [];
  /** Places others' requests hold (see observe), each until then. */
  private foreign: number[] = [];

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    this.limit = max;
  }

  /** Resolves when one more request fits in the window; callers are served in order. */
  acquire(): Promise<Slot> {
    const turn = this.queue.then(() => this.waitForSlot());
    this.queue = turn.then(() => undefined, () => undefined);
    return turn;
  }

  /**
   * The request's answer came (or it failed, or was never sent): it leaves the window `windowMs`
   * after now. A second release of the same slot changes nothing.
   */
  release(slot: Slot): void {
    const h = this.held.find((x) => x.seq === slot.seq);
    if (!h || h.until !== Infinity) return;
    h.until = this.now() + this.windowMs;
    const waiting = this.wake;
    this.wake = [];
    for (const w of waiting) w();
  }

  /**
   * The service's count after `slot`'s request. What it counts beyond this limiter's own
   * requests up to that one are others' (other apps or processes on the same portal, or an
   * earlier connection of this one): they hold places here too, each until a window from now
   * (when they really leave is not known), as many as the latest answer says. A full window
   * holding only this limiter's own requests needs no pause: its next place frees when this
   * limiter's oldest leaves, which the limiter waits for anyway. Without the maximum, whose
   * requests fill a full window cannot be told: every request waits the whole interval. A
   * portal whose maximum is below the budget lowers the budget to it.
   */
  observe(slot: Slot, reading: WindowReading): void {
    const t = this.now();
    const interval = Number.isFinite(reading.intervalMs) && reading.intervalMs > 0 ? reading.intervalMs : null;
    if (reading.max === null || !Number.isFinite(reading.max) || reading.max <= 0) {
      if (reading.remaining <= 0 && interval !== null) this.pauseUntil(t + interval);
      return;
    }
    if (!Number.isFinite(reading.remaining)) return;
    this.limit = Math.min(this.max, Math.floor(reading.max));
    const counted = reading.max - Math.max(0, reading.remaining);
    const own = this.held.filter((h) => h.seq <= slot.seq && h.until > t).length;
    const others = Math.max(0, Math.ceil(counted - own));
    this.foreign = this.foreign.filter((until) => until > t).sort((a, b) => a - b);
    if (this.foreign.length > others) this.foreign.length = others;
    while (this.foreign.length < others) this.foreign.push(t + (interval ?? this.windowMs));
  }

  /** Holds every request until `until` (epoch ms), e.g. when the CRM says none remain. */
  pauseUntil(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }

  private async waitForSlot(): Promise<Slot> {
    for (;;) {
      const t = this.now();
      if (t < this.pausedUntil) {
        await this.sleep(this.pausedUntil - t);
        continue;
      }
      this.held = this.held.filter((h) => h.until > t);
      this.foreign = this.foreign.filter((until) => until > t);
      if (this.held.length + this.foreign.length < this.limit) {
        const slot = { seq: ++this.seq };
        this.held.push({ seq: slot.seq, until: Infinity });
        return slot;
      }
      const soonest = Math.min(...this.held.map((h) => h.until), ...this.foreign);
      // Others' places and a lowered budget may change with the next answer: looked at again soon.
      const changing = this.foreign.length > 0 || this.limit < this.max;
      if (soonest === Infinity) await new Promise<void>((resolve) => this.wake.push(resolve));
      else await this.sleep(changing ? Math.min(soonest - t, RECHECK_MS) : soonest - t);
    }
  }
}
