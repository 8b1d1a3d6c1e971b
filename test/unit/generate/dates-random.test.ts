import { describe, expect, it } from 'vitest';
import { formatDay, parseDay, windowsFor } from '../../../src/sandbox/generate/dates.ts';
import { Rng, WeightedIndex } from '../../../src/sandbox/generate/random.ts';

describe('generator windows', () => {
  it('match DOMAIN.md: 12 months ending at asOf, clamped at month ends', () => {
    const w = windowsFor(parseDay('2026-06-30'));
    expect(formatDay(w.windowStart)).toBe('2025-07-01');
    expect(formatDay(w.priorStart)).toBe('2024-07-01');
    const leap = windowsFor(parseDay('2024-02-29'));
    expect(formatDay(leap.windowStart)).toBe('2023-03-01');
    expect(formatDay(leap.priorStart)).toBe('2022-03-01');
  });
});

describe('Rng', () => {
  it('repeats its sequence for a seed and stays within the asked ranges', () => {
    const a = new Rng(123);
    const b = new Rng(123);
    const xs = Array.from({ length: 1000 }, () => a.int(3, 9));
    expect(Array.from({ length: 1000 }, () => b.int(3, 9))).toEqual(xs);
    expect(Math.min(...xs)).toBe(3);
    expect(Math.max(...xs)).toBe(9);
    expect(new Rng(124).next()).not.toBe(new Rng(123).next());
  });

  it('draws weighted indices in proportion, never a zero weight', () => {
    const rng = new Rng(5);
    const index = new WeightedIndex([1, 0, 3]);
    const counts = [0, 0, 0];
    for (let i = 0; i < 8000; i++) {
      const k = index.draw(rng);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    expect(counts[1]).toBe(0);
    // Expected 1:3; 8000 draws keep the ratio well within 2.5..3.5.
    const ratio = (counts[2] ?? 0) / (counts[0] ?? 1);
    expect(ratio).toBeGreaterThan(2.5);
    expect(ratio).toBeLessThan(3.5);
  });
});
