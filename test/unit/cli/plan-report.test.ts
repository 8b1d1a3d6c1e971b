import { describe, expect, it } from 'vitest';
import { planAccountLines, showChange } from '../../../src/cli/report/plan.ts';

describe('the plan report', () => {
  it('shows short values whole', () => {
    expect(showChange(null, 50)).toEqual(['(empty)', '50']);
    expect(showChange('Standard', 'Key')).toEqual(['"Standard"', '"Key"']);
  });

  it('shows where a long text differs, on both sides, not the same cut prefix', () => {
    const head = 'Key account: family revenue 1.2M over the threshold of 1M; ';
    const from = `${head}penetration 18% across 4 entities; growth 12% year on year; 3 referenceable contacts`;
    const to = `${head}penetration 22% across 4 entities; growth 12% year on year; 3 referenceable contacts`;
    const [a, b] = showChange(from, to);
    expect(a).not.toBe(b);
    expect(a).toContain('18');
    expect(b).toContain('22');
    expect(a.startsWith('"…')).toBe(true);
    expect(a.endsWith('…"')).toBe(true);
    // The unchanged context either side is the same on both.
    expect(a.replace('18', '22')).toBe(b);
  });

  it('shows a change at the very end of a long text', () => {
    const base = 'x'.repeat(200);
    expect(showChange(`${base}a`, `${base}b`)).toEqual([`"…${'x'.repeat(24)}a"`, `"…${'x'.repeat(24)}b"`]);
  });

  it('names every account with its id, and says how many more there are', () => {
    const writes = [
      { accountId: '001A', name: 'Acme GmbH', changes: [{ field: 'kam_tier', from: null, to: 'Key' }] },
      { accountId: '001B', name: null, changes: [{ field: 'kam_tier', from: 'Key', to: 'Develop' }] },
    ];
    expect(planAccountLines(writes, 1)).toEqual(['  Acme GmbH (001A)', '    kam_tier: (empty) -> "Key"', '  ... and 1 more account(s) (--all lists every one)']);
    expect(planAccountLines(writes)[2]).toBe('  001B');
  });
});
