import { sourceProfile } from '../../../connectors/registry.ts';
import { describe, expect, it } from 'vitest';
import { estimatePushCalls, planFieldChanges, sameFieldValue, type FieldValue } from '../../../src/sync/planner.ts';

const NOW = '2026-06-30T10:00:00.000Z';

describe('sameFieldValue', () => {
  it('compares numbers at the scale of the field', () => {
    expect(sameFieldValue('kam_score', 72.44, 72.4)).toBe(true);
    expect(sameFieldValue('kam_score', 72.45, 72.4)).toBe(false); // 72.45 rounds half up to 72.5
    expect(sameFieldValue('kam_revenue_share', '12.345', 12.35)).toBe(true); // CRM returns text, 12.345 -> 12.35
    expect(sameFieldValue('kam_revenue_share', 12.344, 12.35)).toBe(false);
    expect(sameFieldValue('kam_whitespace_value', null, 0)).toBe(false);
  });
  it('compares texts exactly but treats empty and null alike; booleans across text', () => {
    expect(sameFieldValue('kam_reasons', 'a', 'a ')).toBe(false);
    expect(sameFieldValue('kam_risks', null, '')).toBe(true);
    expect(sameFieldValue('kam_key_account', 'true', true)).toBe(true);
    expect(sameFieldValue('kam_key_account', null, false)).toBe(false);
  });
});

describe('planFieldChanges', () => {
  const mirror: { id: string; fields: Record<string, FieldValue> }[] = [
    { id: 'A1', fields: { kam_tier: 'Key', kam_score: 80, kam_updated_at: '2026-01-01T00:00:00Z' } },
    { id: 'A2', fields: { kam_tier: 'Standard', kam_score: 10.04 } },
  ];

  it('sends only changed fields, rounded, and stamps kam_updated_at only then', () => {
    const plan = planFieldChanges(
      [
        { accountId: 'A2', fields: { kam_tier: 'Develop', kam_score: 10.0 } },
        { accountId: 'A1', fields: { kam_tier: 'Key', kam_score: 80.04 } },
        { accountId: 'X', fields: { kam_tier: 'Key' } },
      ],
      mirror,
      { updatedAt: NOW },
    );
    expect(plan.writes).toEqual([
      {
        accountId: 'A2',
        fields: { kam_tier: 'Develop', kam_updated_at: NOW },
        previous: { kam_tier: 'Standard', kam_updated_at: null },
        changes: [{ field: 'kam_tier', from: 'Standard', to: 'Develop' }, { field: 'kam_updated_at', from: null, to: NOW }],
      },
    ]);
    expect(plan.summary).toEqual({ accounts: 2, changedAccounts: 1, unchangedAccounts: 1, changedFields: 2, unknownAccounts: ['X'], byField: { kam_tier: 1, kam_updated_at: 1 } });
  });

  it('rounds the value sent to the field scale', () => {
    const plan = planFieldChanges([{ accountId: 'A1', fields: { kam_score: 81.25 } }], mirror, { updatedAt: NOW });
    expect(plan.writes[0]?.fields.kam_score).toBe(81.3);
  });

  it('with updatedAt null treats kam_updated_at like any field (rollback)', () => {
    const plan = planFieldChanges([{ accountId: 'A1', fields: { kam_tier: 'Key', kam_updated_at: '2025-12-01T00:00:00Z' } }], mirror, { updatedAt: null });
    expect(plan.writes[0]?.fields).toEqual({ kam_updated_at: '2025-12-01T00:00:00Z' });
  });

  it('estimates write calls per CRM batch size', () => {
    const writes = Array.from({ length: 201 }, (_, i) => ({ accountId: `A${i}`, fields: {}, previous: {}, changes: [] }));
    const plan = { writes, summary: { accounts: 201, changedAccounts: 201, unchangedAccounts: 0, changedFields: 0, unknownAccounts: [], byField: {} } };
    expect(estimatePushCalls(plan, sourceProfile('salesforce'))).toEqual({ collectionsUpdate: 2 });
    expect(estimatePushCalls(plan, sourceProfile('hubspot'))).toEqual({ batchUpdate: 3 });
    // 201 writes in bulk jobs of up to 150 rows: two jobs; a smaller chosen batch: ceil(201/50).
    expect(estimatePushCalls(plan, sourceProfile('salesforce'), { size: 150, bulk: true })).toEqual({ bulkIngestJobs: 2 });
    expect(estimatePushCalls(plan, sourceProfile('salesforce'), { size: 50, bulk: false })).toEqual({ collectionsUpdate: 5 });
  });
});
