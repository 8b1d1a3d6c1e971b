import { describe, expect, it } from 'vitest';
import { WindowLimiter } from '../../../connectors/hubspot/limiter.ts';

function clock() {
  let t = 0;
  const waits: number[] = [];
  return { waits, now: () => t, sleep: async (ms: number) => { waits.push(ms); t += ms; }, set: (v: number) => { t = v; } };
}

describe('WindowLimiter', () => {
  it('lets `max` requests through a rolling window, then waits for the oldest to leave', async () => {
    const c = clock();
    const l = new WindowLimiter(3, 10_000, c.now, c.sleep);
    const starts: number[] = [];
    for (let i = 0; i < 7; i++) {
      await l.acquire();
      starts.push(c.now());
    }
    expect(starts).toEqual([0, 0, 0, 10_000, 10_000, 10_000, 20_000]);
  });

  it('serves concurrent callers in order', async () => {
    const c = clock();
    const l = new WindowLimiter(1, 1_000, c.now, c.sleep);
    const order: number[] = [];
    await Promise.all([0, 1, 2].map((i) => l.acquire().then(() => order.push(i))));
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
});
