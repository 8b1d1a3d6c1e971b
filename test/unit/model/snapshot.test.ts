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

  it('rejects a document that is not a version-1 or version-2 snapshot as a whole', () => {
    expect(() => parseSnapshot({ version: 3 })).toThrow(SnapshotFormatError);
    expect(() => parseSnapshot({ version: 3 })).toThrow('unsupported snapshot version: expected 1 or 2');
    expect(() => parseSnapshot({ version: 2, fiscalYearStartMonth: 13 })).toThrow('fiscalYearStartMonth must be within 1..12');
    expect(() => parseSnapshot({ version: 1, accounts: 'nope' })).toThrow(/accounts:/);
    expect(() => parseSnapshot(null)).toThrow(SnapshotFormatError);
  });

  it('reads version 2: the fiscal-year start, account domains and contact roles, each role checked on its own', () => {
    const { snapshot, rejected } = parseSnapshot({
      version: 2, fiscalYearStartMonth: 4,
      accounts: [{ id: 'A', name: 'Acme', domain: 'acme.com' }],
      contactRoles: [
        { id: 'R1', opportunityId: 'O1', contactId: 'C1', role: 'Decision Maker', primary: true },
        { id: 'R2', opportunityId: 'O1', contactId: 'C2' },
        { id: 'R3', opportunityId: 'O1', contactId: '', role: 'Influencer' },
        { id: 'R1', opportunityId: 'O2', contactId: 'C3', role: null },
      ],
    });
    expect(snapshot.version).toBe(2);
    expect(snapshot.fiscalYearStartMonth).toBe(4);
    expect(snapshot.accounts[0]?.domain).toBe('acme.com');
    expect(snapshot.contactRoles).toEqual([
      { id: 'R1', opportunityId: 'O1', contactId: 'C1', role: 'Decision Maker', primary: true },
      { id: 'R2', opportunityId: 'O1', contactId: 'C2', role: null, primary: false },
    ]);
    expect(rejected.map((r) => [r.kind, r.id, r.reason])).toEqual([
      ['contactRole', 'R3', 'contactId: contactId must be a non-empty string'],
      ['contactRole', 'R1', 'duplicate contactRole id'],
    ]);
    // A version-1 document reads as before: no fiscal year, no roles.
    const v1 = parseSnapshot({ version: 1, accounts: [{ id: 'A', name: 'Acme' }] }).snapshot;
    expect('fiscalYearStartMonth' in v1).toBe(false);
    expect('contactRoles' in v1).toBe(false);
    expect('domain' in (v1.accounts[0] ?? {})).toBe(false);
  });
});
