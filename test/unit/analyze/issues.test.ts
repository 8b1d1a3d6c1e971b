import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/analyze/index.ts';
import { DEFAULT_ANALYSIS_CONFIG } from '../../../src/config/analysis-config.ts';
import { account, contact, opp, snapshot } from './builders.ts';

describe('issues', () => {
  it('lists rejected records and data problems sorted by kind, record id (none first), message', () => {
    const r = analyze({
      snapshot: snapshot({
        accounts: [account('B', { parentId: 'GONE' }), account('A')],
        contacts: [contact('c9', 'NOPE')],
        opportunities: [opp('o1', 'NOPE', 'won', '2026-01-01')],
      }),
      config: DEFAULT_ANALYSIS_CONFIG,
      asOf: '2026-06-30',
      rejected: [
        { kind: 'account', id: 'Z', index: 4, reason: 'name: expected string' },
        { kind: 'contact', id: null, index: 2, reason: 'id: id must be a non-empty string' },
      ],
    });
    expect(r.issues).toEqual([
      { kind: 'missing-parent', recordId: 'B', message: 'parent GONE of account B is not in the data; B is treated as a root' },
      { kind: 'rejected-record', recordId: null, message: 'contact at index 2 rejected: id: id must be a non-empty string' },
      { kind: 'rejected-record', recordId: 'Z', message: 'account Z rejected: name: expected string' },
      { kind: 'unknown-account', recordId: 'c9', message: 'contact c9 points at unknown account NOPE; left out' },
      { kind: 'unknown-account', recordId: 'o1', message: 'opportunity o1 points at unknown account NOPE; left out' },
    ]);
  });

  it('copies configVersion, asOf and currency into the output', () => {
    const r = analyze({ snapshot: snapshot({ currency: 'EUR' }), config: { ...DEFAULT_ANALYSIS_CONFIG, version: 7 }, asOf: '2024-02-29' });
    expect([r.asOf, r.configVersion, r.currency]).toEqual(['2024-02-29', 7, 'EUR']);
  });

  it('refuses an invalid analysis date', () => {
    expect(() => analyze({ snapshot: snapshot({}), config: DEFAULT_ANALYSIS_CONFIG, asOf: '2026-02-30' })).toThrow('invalid analysis date "2026-02-30"');
  });

  it('keeps what the CRM holds in kam_updated_at', () => {
    const r = analyze({
      snapshot: snapshot({ accounts: [account('A', { fields: { kam_updated_at: '2026-06-01T10:00:00Z' } }), account('B')] }),
      config: DEFAULT_ANALYSIS_CONFIG,
      asOf: '2026-06-30',
    });
    expect(r.accounts.map((a) => a.kam_updated_at)).toEqual(['2026-06-01T10:00:00Z', null]);
  });
});
