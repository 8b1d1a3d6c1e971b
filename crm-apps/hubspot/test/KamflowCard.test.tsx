import { Alert, EmptyState, ErrorState, LoadingSpinner, StatusTag, Tag, Text } from '@hubspot/ui-extensions';
import { CrmActionLink } from '@hubspot/ui-extensions/crm';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { describe, expect, it } from 'vitest';
import { KAM_PROPERTIES, KamflowCard } from '../src/app/cards/KamflowCard.tsx';
import { parseRunStatus, type RunStatus } from '../src/app/cards/run-status.ts';

// The renderer's mock context: portal 123 in America/New_York, the record is company 123.
const NOW = Date.parse('2026-11-23T09:00:00.000Z');

const REASONS = [
  '★ Key, score 60.0: revenue share alone is enough',
  '✓ Revenue share 18% (needs 10%): passes, enough on its own for Key',
  '○ Growth (needs +10%): no data, left out of the score',
  '✗ Active contacts 2 (needs 3): fails',
  '→ Drops below Key under 10% revenue share; now 18%',
].join('\n');

/** What useCrmProperties hands out: raw property values, as strings. */
const KEY_COMPANY: Record<string, string | null> = {
  kam_tier: 'Key',
  kam_score: '60',
  kam_why: 'Key: 18% of revenue (needs 10%)',
  kam_reasons: REASONS,
  kam_revenue_share: '18',
  kam_penetration: '25',
  kam_whitespace_value: '48000',
  kam_next_best_offers: 'Analytics: 5 of 12 Manufacturing 250-999 buy Analytics; est. 48,000/yr',
  kam_contact_coverage: '2 contacts (target 3-5)',
  kam_risks: 'single-threaded: 1 active contact in the family',
  kam_ultimate_parent: '9001 Acme Holding',
  // 2026-11-20T02:10:00Z as HubSpot's milliseconds.
  kam_updated_at: '1795140600000',
};
const NOT_ANALYSED = Object.fromEntries(KAM_PROPERTIES.map((k) => [k, null]));

function setup(properties: Record<string, string | null> | 'loading' | Error, run: RunStatus | null) {
  const r = createRenderer('crm.record.tab');
  r.mocks.useCrmProperties.willCall(() => ({
    properties: typeof properties === 'string' || properties instanceof Error ? {} : properties,
    error: properties instanceof Error ? properties : null,
    isLoading: properties === 'loading',
    isRefetching: false,
    refetch: async () => undefined,
  }));
  r.render(<KamflowCard context={r.mocks.context} loadRunStatus={async () => run} now={() => NOW} />);
  return r;
}

const FRESH: RunStatus = { lastRunFinishedAt: '2026-11-23T02:05:00.000Z', nextRunDueBy: '2026-11-24T04:00:00.000Z' };

describe('the Kamflow company card', () => {
  it('asks useCrmProperties for the kam_* properties it shows', () => {
    const r = setup(KEY_COMPANY, FRESH);
    expect(r.mocks.useCrmProperties.calls[0]?.[0]).toEqual([...KAM_PROPERTIES]);
  });

  it('shows a spinner while loading and the error when the properties cannot be read', () => {
    expect(setup('loading', null).maybeFindByTestId(LoadingSpinner, 'loading')).not.toBeNull();
    const failed = setup(new Error('missing scope crm.objects.companies.read'), null);
    expect(failed.findByTestId(ErrorState, 'error').props.title).toBe("Kamflow's values could not be loaded");
    expect(failed.find(ErrorState).find(Text).text).toBe('missing scope crm.objects.companies.read');
  });

  it('says "not analysed yet", with the next run once the run status arrives', async () => {
    const r = setup(NOT_ANALYSED, FRESH);
    expect(r.findByTestId(EmptyState, 'not-analysed').props.title).toBe('Not analysed yet');
    // 04:00 UTC is 23:00 the day before in New York.
    await r.waitFor(() => expect(r.find(EmptyState).find(Text).text).toBe('Not analysed yet. Kamflow fills this card on its next run, due by Nov 23, 2026, 11:00 PM.'));
    expect(r.maybeFind(Tag)).toBeNull();
  });

  it('shows tier, score, why, marked reasons, nearest threshold, offers, coverage, risks and parent', async () => {
    const r = setup(KEY_COMPANY, FRESH);
    const tier = r.findByTestId(Tag, 'tier');
    expect([tier.text, tier.props.variant]).toEqual(['Key', 'success']);
    expect(r.findByTestId(Text, 'score').text).toBe('Score 60.0');
    expect(r.findByTestId(Text, 'why').text).toBe('Key: 18% of revenue (needs 10%)');

    const tags = r.findAll(StatusTag).map((t) => [t.props.variant, t.text]);
    // Three criteria, then "Below target" for the contacts.
    expect(tags).toEqual([['success', 'Passes'], ['default', 'No data'], ['danger', 'Fails'], ['warning', 'Below target']]);
    const lines = r.findAll(Text).map((t) => t.text);
    expect(lines).toContain('Revenue share 18% (needs 10%): passes, enough on its own for Key');
    expect(lines).toContain('Active contacts 2 (needs 3): fails');
    expect(r.findByTestId(Text, 'nearest').text).toBe('Drops below Key under 10% revenue share; now 18%');
    expect(r.findByTestId(Text, 'figures').text).toBe('Revenue share 18% · Penetration 25% · Whitespace 48,000');

    expect(lines).toContain('Analytics');
    expect(lines).toContain('5 of 12 Manufacturing 250-999 buy Analytics; est. 48,000/yr');
    expect(r.findByTestId(Text, 'coverage').text).toBe('2 active contacts (target 3-5): 1 short of the target');
    expect(lines).toContain('Single-threaded: 1 active contact in the family');

    const link = r.findByTestId(CrmActionLink, 'parent-link');
    expect([link.text, link.props.actionType, link.props.actionContext]).toEqual(['Acme Holding', 'RECORD_APP_LINK', { objectTypeId: '0-2', objectId: 9001 }]);

    await r.waitFor(() => expect(r.findByTestId(Text, 'freshness').text).toBe('Checked by Kamflow on Nov 22, 2026, 09:05 PM. Last changed Nov 19, 2026.'));
    expect(r.maybeFindByTestId(Alert, 'stale')).toBeNull();
  });

  it('warns that values may be out of date when the next run was due and has not finished', async () => {
    const r = setup(KEY_COMPANY, { lastRunFinishedAt: '2026-11-21T02:05:00.000Z', nextRunDueBy: '2026-11-22T04:00:00.000Z' });
    await r.waitFor(() =>
      expect(r.findByTestId(Alert, 'stale').text).toBe('These values may be out of date: Kamflow last finished a run on Nov 20, 2026, 09:05 PM and the next run was due by Nov 21, 2026, 11:00 PM.'),
    );
    expect(r.findByTestId(Tag, 'tier').text).toBe('Key');
    expect(r.findByTestId(Text, 'freshness').text).toBe('Last changed Nov 19, 2026.');
  });

  it('makes no freshness claim without a run status, and handles empty offers, risks and a Standard tier', () => {
    const r = setup({ ...KEY_COMPANY, kam_tier: 'Standard', kam_score: '0', kam_why: null, kam_reasons: '★ Standard, score 0.0: no other tier applies', kam_next_best_offers: null, kam_risks: '', kam_contact_coverage: '4 contacts (target 3-5)' }, null);
    expect(r.findByTestId(Tag, 'tier').props.variant).toBe('default');
    expect(r.findByTestId(Text, 'why').text).toBe('Standard, score 0.0: no other tier applies');
    expect(r.findAll(StatusTag)).toHaveLength(0);
    expect(r.maybeFindByTestId(Text, 'nearest')).toBeNull();
    expect(r.findByTestId(Text, 'no-offers').text).toContain('No suggestion');
    expect(r.findByTestId(Text, 'no-risks').text).toBe('No risks flagged.');
    expect(r.findByTestId(Text, 'coverage').text).toBe('4 active contacts (target 3-5): on target');
    expect(r.findByTestId(Text, 'freshness').text).toBe('Last changed Nov 19, 2026.');
  });

  it('says so when the company is its own ultimate parent, and shows an override prominently', () => {
    const reasons = '★ Key, score 45.0: overridden\n⚑ Overridden by Dana Lee until 2027-03-31: strategic partner\n✓ Revenue share 18% (needs 10%): passes';
    const r = setup({ ...KEY_COMPANY, kam_ultimate_parent: '123 Acme Holding', kam_reasons: reasons }, null);
    expect(r.findByTestId(Text, 'parent').text).toBe('This company is the ultimate parent of its family.');
    expect(r.maybeFind(CrmActionLink)).toBeNull();
    const override = r.findByTestId(Alert, 'override');
    expect([override.props.title, override.text]).toEqual(['Tier override', 'Overridden by Dana Lee until 2027-03-31: strategic partner']);
  });

  it('shows a family left untiered for its data as analysed, with the data to fix, and names the relationship-owner risk', () => {
    const reasons = [
      '★ Not tiered, score 60.0: data confidence 25% is below 60%',
      '! 1 of 2 opportunities has amounts in a currency without an exchange rate, left out of revenue: add the rate, then check O2',
      '✓ Revenue share 18% (needs 10%): passes',
    ].join('\n');
    const r = setup({
      ...KEY_COMPANY, kam_tier: null, kam_reasons: reasons, kam_why: 'Not tiered: because no exchange rate for 1 of 2 opportunities',
      kam_risks: 'relationship-owner: all 3 known relationships are on deals owned by U1 Ann',
    }, FRESH);
    expect(r.maybeFind(EmptyState)).toBeNull();
    expect(r.findByTestId(Tag, 'tier').text).toBe('Not tiered');
    expect(r.findByTestId(Text, 'why').text).toBe('Not tiered: because no exchange rate for 1 of 2 opportunities');
    const issues = r.findByTestId(Alert, 'data-issues');
    expect(issues.text).toBe('1 of 2 opportunities has amounts in a currency without an exchange rate, left out of revenue: add the rate, then check O2');
    expect(r.findAll(Text).map((t) => t.text)).toContain('Relationship owner: all 3 known relationships are on deals owned by U1 Ann');
  });
});

describe('the run status from Kamflow', () => {
  it('accepts the documented JSON and nothing else', () => {
    expect(parseRunStatus({ lastRunFinishedAt: '2026-11-23T02:05:00.000Z', nextRunDueBy: null })).toEqual({ lastRunFinishedAt: '2026-11-23T02:05:00.000Z', nextRunDueBy: null });
    expect(parseRunStatus({ lastRunFinishedAt: 'yesterday', nextRunDueBy: null })).toBeNull();
    expect(parseRunStatus({ lastRunFinishedAt: '2026-11-23T02:05:00.000Z' })).toBeNull();
    expect(parseRunStatus('ok')).toBeNull();
    expect(parseRunStatus(null)).toBeNull();
  });
});
