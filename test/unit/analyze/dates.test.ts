import { describe, expect, it } from 'vitest';
import { addMonths, analysisWindows, AsOfError, fromDayNumber, toDayNumber, validateAsOf } from '../../../src/analyze/dates.ts';

const range = (r: { from: number; to: number }) => [fromDayNumber(r.from), fromDayNumber(r.to)];

describe('analysis windows', () => {
  it('ends at asOf and starts the day after the same date a year earlier (2026-06-30)', () => {
    const w = analysisWindows('2026-06-30', 6);
    // 2026-06-30 - 12 months = 2025-06-30; the day after is 2025-07-01.
    expect(range(w.window)).toEqual(['2025-07-01', '2026-06-30']);
    // The 12 months before it: 2024-07-01 .. 2025-06-30.
    expect(range(w.prior)).toEqual(['2024-07-01', '2025-06-30']);
    // 6 months ending at asOf: 2026-06-30 - 6 months = 2025-12-30, the day after is 2025-12-31.
    expect(range(w.recent)).toEqual(['2025-12-31', '2026-06-30']);
  });

  it('handles 29 February: 2024-02-29 gives 2023-03-01 .. 2024-02-29', () => {
    const w = analysisWindows('2024-02-29', 6);
    // 2023-02-29 does not exist: clamp to 2023-02-28, the day after is 2023-03-01.
    expect(range(w.window)).toEqual(['2023-03-01', '2024-02-29']);
    // Prior ends 2023-02-28; 2022-02-28 + 1 day = 2022-03-01.
    expect(range(w.prior)).toEqual(['2022-03-01', '2023-02-28']);
    // 2024-02-29 - 6 months = 2023-08-29, + 1 day.
    expect(range(w.recent)).toEqual(['2023-08-30', '2024-02-29']);
  });

  it('reaches 29 February the year after a leap day', () => {
    // 2025-02-28 - 12 months = 2024-02-28, the day after is the leap day.
    expect(range(analysisWindows('2025-02-28', 6).window)).toEqual(['2024-02-29', '2025-02-28']);
  });

  it('clamps month arithmetic to the end of shorter months', () => {
    expect(fromDayNumber(addMonths(toDayNumber('2026-08-31'), -6))).toBe('2026-02-28');
    expect(fromDayNumber(addMonths(toDayNumber('2026-01-31'), 1))).toBe('2026-02-28');
    expect(fromDayNumber(addMonths(toDayNumber('2026-03-15'), -15))).toBe('2024-12-15');
  });

  it('reads the date part of a timestamp', () => {
    expect(toDayNumber('2026-06-30T23:59:59Z')).toBe(20260630);
  });
});

describe('validateAsOf', () => {
  it('accepts a real date and returns it', () => {
    expect(validateAsOf('2024-02-29')).toBe('2024-02-29');
  });
  it.each(['2023-02-29', '2026-13-01', '2026-06-31', '26-06-30', '2026-06-30T00:00:00Z', '', 'tomorrow'])(
    'rejects %j naming the value and the expected format',
    (s) => {
      expect(() => validateAsOf(s)).toThrow(AsOfError);
      expect(() => validateAsOf(s)).toThrow(`invalid analysis date "${s}": expected a real calendar date written YYYY-MM-DD`);
    },
  );
});
