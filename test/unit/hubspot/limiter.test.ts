import { describe, expect, it } from 'vitest';
import { WindowLimiter } from '../../../connectors/hubspot/limiter.ts';

function clock() {
  let t = 0;
  const waits: number[] = [];
  return { waits, now: () => t, sleep: async (ms: number) => { waits.push(ms); t += ms; }, set: (v: number) => { t = v; } };
}

/** Lets pending promise callbacks run (the limiter's queue and wake-ups). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

describe('WindowLimiter', () => {
  it('lets `max` requests through a rolling window, then waits for the oldest to leave', async () => {
    const c = clock();
    const l = new WindowLimiter(3, 10_000, c.now, c.sleep);
    const starts: number[] = [];
    for (let i = 0; i < 7; i++) {
      const slot = await l.acquire();
      starts.push(c.now());
      l.release(slot);
    }
    expect(starts).toEqual([0, 0, 0, 10_000, 10_000, 10_000, 20_000]);
  });

  it('counts a request from its answer: its place frees a window after the answer, not after the sending', async () => {
    const c = clock();
    const l = new WindowLimiter(2, 10_000, c.now, c.sleep);
    const a = await l.acquire();
    const b = await l.acquire();
    c.set(300);
    l.release(a);
    c.set(450);
    l.release(b);
    const third = await l.acquire();
    // The service may have counted `a` as late as its answer at 300 ms: 10,300, not 10,000.
    expect(c.now()).toBe(10_300);
    l.release(third);
    await l.acquire();
    expect(c.now()).toBe(10_450);
  });

  it('waits for an answer when every place is held by a request in flight', async () => {
    const c = clock();
    const l = new WindowLimiter(1, 1_000, c.now, c.sleep);
    const first = await l.acquire();
    let granted = false;
    const second = l.acquire().then((slot) => {
      granted = true;
      return slot;
    });
    await settle();
    expect(granted).toBe(false);
    c.set(5_000);
    l.release(first);
    l.release(first);
    await second;
    expect(granted).toBe(true);
    expect(c.now()).toBe(6_000);
  });

  it('serves concurrent callers in order', async () => {
    const c = clock();
    const l = new WindowLimiter(1, 1_000, c.now, c.sleep);
    const order: number[] = [];
    await Promise.all([0, 1, 2].map((i) => l.acquire().then((slot) => {
      order.push(i);
      l.release(slot);
    })));
    expect(order).toEqual([0, 1, 2]);
    expect(c.now()).toBe(2_000);
  });

  it('holds requests while paused', async () => {
    const c = clock();
    const l = new WindowLimiter(100, 10_000, c.now, c.sleep);
    l.pauseUntil(4_000);
    await l.acquire();
    expect(c.waits).toEqual([4_000]);
  });

  it('does not pause when the full window the portal reports holds only its own requests', async () => {
    const c = clock();
    const l = new WindowLimiter(3, 10_000, c.now, c.sleep);
    const slots = [];
    for (let i = 0; i < 3; i++) {
      c.set(i * 1_000);
      const slot = await l.acquire();
      c.set(i * 1_000 + 30);
      l.release(slot);
      slots.push(slot);
    }
    // The third answer says none remain: all three are this limiter's, so the next place frees
    // when the first leaves (10,030), not a whole interval after this answer (12,030).
    l.observe(slots[2]!, { max: 3, remaining: 0, intervalMs: 10_000 });
    await l.acquire();
    expect(c.now()).toBe(10_030);
  });

  it('pauses a whole interval when the portal counts requests it did not send', async () => {
    const c = clock();
    const l = new WindowLimiter(3, 10_000, c.now, c.sleep);
    const slot = await l.acquire();
    c.set(30);
    l.release(slot);
    // One request of its own, yet the portal's window is full: others share the budget.
    l.observe(slot, { max: 3, remaining: 0, intervalMs: 10_000 });
    await l.acquire();
    expect(c.now()).toBe(10_030);
  });

  it("keeps places for others' requests the portal counts, and gives them back when a later answer counts fewer", async () => {
    let t = 0;
    const pending: { ms: number; resolve: () => void }[] = [];
    const sleep = (ms: number): Promise<void> => new Promise((resolve) => pending.push({ ms, resolve: () => { t += ms; resolve(); } }));
    const l = new WindowLimiter(5, 10_000, () => t, sleep);
    const first = await l.acquire();
    t = 30;
    l.release(first);
    // The portal counts 3 after this limiter's first request: 2 are someone else's.
    l.observe(first, { max: 5, remaining: 2, intervalMs: 10_000 });
    const a = await l.acquire();
    l.release(a);
    const b = await l.acquire();
    l.release(b);
    let granted = false;
    const next = l.acquire().then((slot) => {
      granted = true;
      return slot;
    });
    await settle();
    expect(granted).toBe(false);
    expect(pending.map((p) => p.ms)).toEqual([250]);
    // The others' requests have left: the portal counts only this limiter's three.
    l.observe(b, { max: 5, remaining: 2, intervalMs: 10_000 });
    pending.shift()?.resolve();
    await next;
    expect(t).toBe(280);
  });

  it('pauses without the maximum header, since it cannot tell whose requests fill the window', async () => {
    const c = clock();
    const l = new WindowLimiter(3, 10_000, c.now, c.sleep);
    const slot = await l.acquire();
    l.release(slot);
    l.observe(slot, { max: null, remaining: 0, intervalMs: 2_000 });
    await l.acquire();
    expect(c.now()).toBe(2_000);
  });

  it('takes a portal maximum below its budget as the budget, and goes back up to the budget at most', async () => {
    const c = clock();
    const l = new WindowLimiter(3, 10_000, c.now, c.sleep);
    const a = await l.acquire();
    l.release(a);
    l.observe(a, { max: 1, remaining: 0, intervalMs: 10_000 });
    const b = await l.acquire();
    expect(c.now()).toBe(10_000);
    l.release(b);
    l.observe(b, { max: 100, remaining: 99, intervalMs: 10_000 });
    for (let i = 0; i < 2; i++) l.release(await l.acquire());
    expect(c.now()).toBe(10_000);
    await l.acquire();
    expect(c.now()).toBe(20_000);
  });

  it('holds a place released without an answer (no request went out) for a window from then', async () => {
    const c = clock();
    const l = new WindowLimiter(1, 1_000, c.now, c.sleep);
    l.release(await l.acquire());
    await l.acquire();
    expect(c.now()).toBe(1_000);
  });
});
