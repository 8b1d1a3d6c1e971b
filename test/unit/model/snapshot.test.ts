import { describe, expect, it } from 'vitest';
import { parseSnapshot, SnapshotFormatError } from '../../../src/model/snapshot.ts';

describe('parseSnapshot', () => {
  it('keeps valid records and rejects each bad one with its id and reason', () => {
    const { snapshot, rejected } = parseSnapshot({
      version: 1,
      source: 'file',
      currency: 'EUR',
      accounts: [
        { id: 'A1', name: 'Acme' },
        { id: 'A2', name: 'Beta', employees: -5 },
        { name: 'no id' },
        { id: 'A1', name: 'duplicate' },
      ],
      opportunities: [
        {
          id: 'O1', accountId: 'A1', status: 'won', closeDate: '2026-02-30', lineItems: [],
        },
        {
          id: 'O2', accountId: 'A1', status: 'won', closeDate: '2026-02-28T10:00:00Z', amount: 10,
          lineItems: [{ id: 'L1', productId: 'P1', totalPrice: 10 }, { id: 'L2', productId: 'P1' }],
        },
      ],
      unknownKey: 'ignored',
    });
    expect(snapshot.currency).toBe('EUR');
    expect(snapshot.accounts.map((a) => a.id)).toEqual(['A1']);
    expect(snapshot.accounts[0]).toMatchObject({ parentId: null, fields: {}, extra: {}, markedKey: null });
    expect(snapshot.opportunities.map((o) => o.id)).toEqual(['O2']);
    expect(snapshot.opportunities[0]?.lineItems).toEqual([
      { id: 'L1', productId: 'P1', quantity: 1, totalPrice: 10, cost: null },
    ]);
    expect(rejected.map((r) => [r.kind, r.id])).toEqual([
      ['account', 'A2'],
      ['account', null],
      ['account', 'A1'],
      ['opportunity', 'O1'],
      ['lineItem', 'L2'],
    ]);
    expect(rejected[0]?.reason).toMatch(/^employees:/);
    expect(rejected[2]?.reason).toBe('duplicate account id');
    expect(rejected[3]?.reason).toMatch(/closeDate: expected an ISO 8601 date/);
    expect(rejected[4]?.reason).toMatch(/^in opportunity O2: totalPrice:/);
  });

  it('rejects a document that is not a version-1 snapshot as a whole', () => {
    expect(() => parseSnapshot({ version: 2 })).toThrow(SnapshotFormatError);
    expect(() => parseSnapshot({ version: 1, accounts: 'nope' })).toThrow(/accounts:/);
    expect(() => parseSnapshot(null)).toThrow(SnapshotFormatError);
  });
});
