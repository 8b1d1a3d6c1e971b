import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { cellArrays } from '../../../src/analyze/facts.ts';

describe('the cell arrays of a large portfolio', () => {
  it('are zeroed shared memory whose pages a second thread touches without changing a value written meanwhile', async () => {
    const n = 20_000;
    const O = 40;
    const cells = cellArrays(n, O, 0);
    const shared = availableParallelism() > 1;
    expect(cells.revenue.buffer instanceof SharedArrayBuffer).toBe(shared);
    // Written while the thread runs over the same pages.
    for (let c = 0; c < n * O; c++) {
      cells.revenue[c] = c + 0.5;
      cells.lastWon[c] = c;
      cells.flags[c] = c & 0xff;
    }
    await sleep(300);
    let wrong = 0;
    for (let c = 0; c < n * O; c++) {
      if (cells.revenue[c] !== c + 0.5 || cells.lastWon[c] !== c || cells.flags[c] !== (c & 0xff) || cells.lifetime[c] !== 0 || cells.openAmount[c] !== 0) wrong++;
    }
    expect(wrong).toBe(0);
  });

  it('are plain arrays below the size that pays for a thread', () => {
    const cells = cellArrays(100, 40);
    expect(cells.flags.buffer instanceof SharedArrayBuffer).toBe(false);
    expect(cells.revenue.length).toBe(4000);
  });
});
