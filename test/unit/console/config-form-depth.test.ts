import { describe, expect, it } from 'vitest';
import { buildCandidate, configForm } from '../../../src/console/config-form.ts';
import type { ConnectionRecord } from '../../../src/store/types.ts';

function connection(analysisConfig: unknown): ConnectionRecord {
  return {
    id: 'c1', crm: 'salesforce', baseUrl: 'https://example.my.salesforce.com', options: {}, schedule: null, timezone: null,
    analysisConfig, hasTokens: true, accountId: null, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
  } as ConnectionRecord;
}

describe('the config form: sister suggestions, relationships, horizon and data quality', () => {
  it('shows the defaults of the new settings', () => {
    const value = (p: string) => configForm(connection(null)).fields.find((f) => f.path === p)?.value;
    expect(value('suggestions.sisters.enabled')).toBe('true');
    expect(value('suggestions.sisters.minAdopters')).toBe('2');
    expect(value('criteria.decisionMakers.enabled')).toBe('false');
    expect(value('relationships.ownerRiskMinContacts')).toBe('2');
    expect(value('horizon.fiscalYearStartMonth')).toBe('');
    expect(value('quality.minConfidence')).toBe('0.6');
    expect(value('quality.weights.suspectedDuplicates')).toBe('0.5');
  });

  it('saves them through the analysis schema, empty fiscal month as the CRM setting', () => {
    const r = buildCandidate(connection({ horizon: { fiscalYearStartMonth: 4 } }), {
      'quality.minConfidence': '0.8', 'quality.weights.noPeers': '0', 'horizon.fiscalYearStartMonth': '', 'suggestions.sisters.enabled': 'false',
    });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.candidate.config.quality).toEqual({
      minConfidence: 0.8,
      weights: { noPeers: 0, unknownProducts: 0.25, unconvertedAmounts: 0.5, contactsWithoutAccount: 0.25, suspectedDuplicates: 0.5 },
    });
    expect(r.candidate.config.horizon.fiscalYearStartMonth).toBeNull();
    expect(r.candidate.config.suggestions.sisters.enabled).toBe(false);
  });

  it('reports a bad value on its own path', () => {
    const r = buildCandidate(connection(null), { 'quality.minConfidence': '1.5', 'horizon.fiscalYearStartMonth': '13' });
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.errors).toEqual([
      { path: 'horizon.fiscalYearStartMonth', message: 'horizon.fiscalYearStartMonth must be within 1..12' },
      { path: 'quality.minConfidence', message: 'quality.minConfidence must be within 0..1' },
    ]);
  });
});
