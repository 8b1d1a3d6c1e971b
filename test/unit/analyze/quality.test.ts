import { describe, expect, it } from 'vitest';
import { parseAnalysisConfig } from '../../../src/config/analysis-config.ts';
import { normalName } from '../../../src/analyze/quality.ts';
import { account, contact, family, opp, product, run, snapshot } from './builders.ts';

/**
 * Hand-worked data quality. Default weights: no peers 0.25, unknown products 0.25, unconverted
 * amounts 0.5, contacts without an account 0.25, suspected duplicates 0.5; min confidence 0.6.
 */
const known = { industry: 'Retail', employees: 500 };

describe('data quality of a family', () => {
  it('is 1 with no issue, and the tier stands', () => {
    const s = snapshot({
      accounts: [account('A', known)],
      products: [product('X')],
      opportunities: [opp('O1', 'A', 'won', '2026-03-01', [['X', 1000]])],
    });
    const f = family(run(s), 'A');
    expect(f.quality).toEqual({ confidence: 1, tiered: true, issues: [] });
    expect(f.tier).toBe('Key');
  });

  it('takes weight x share off per issue: 1 of 2 entities without peers is 1 - 0.25 x 0.5 = 0.88', () => {
    const s = snapshot({
      accounts: [account('A', known), account('A2', { parentId: 'A', industry: 'Retail' })],
      products: [product('X')],
      opportunities: [opp('O1', 'A', 'won', '2026-03-01', [['X', 1000]])],
    });
    const f = family(run(s), 'A');
    // 1 - 0.125 = 0.875, half up to 0.88.
    expect(f.quality?.confidence).toBe(0.88);
    expect(f.quality?.tiered).toBe(true);
    expect(f.quality?.issues).toEqual([{
      kind: 'no-peers', count: 1, of: 2, share: 0.5, weight: 0.25, records: ['A2'],
      message: '1 of 2 entities has no industry or employee count, so no peers to compare with: fill in Industry and Employees on A2',
    }]);
    expect(f.tier).toBe('Key');
  });

  it('is not tiered below the minimum: amounts without a rate and a suspected duplicate', () => {
    const s = snapshot({
      accounts: [
        account('A', { ...known, name: 'Acme, Inc.', domain: 'acme.com' }),
        account('B', { ...known, name: 'ACME Ltd', domain: 'www.Acme.com' }),
      ],
      products: [product('X')],
      opportunities: [
        opp('O1', 'A', 'won', '2026-03-01', [['X', 1000]]),
        opp('O2', 'A', 'won', '2026-04-01', [['X', 0]], { conversion: { currency: 'BRL', amount: 900, rate: null, source: null } }),
      ],
    });
    const r = run(s);
    const a = family(r, 'A');
    // A: unconverted 1 of 2 opportunities (0.5 x 0.5 = 0.25) and 1 of 1 entity a duplicate
    // (0.5 x 1 = 0.5): 1 - 0.75 = 0.25 < 0.6.
    expect(a.quality?.confidence).toBe(0.25);
    expect(a.quality?.tiered).toBe(false);
    expect(a.tier).toBeNull();
    expect(a.quality?.issues.map((i) => [i.kind, i.count, i.of, i.records])).toEqual([
      ['suspected-duplicate', 1, 1, ['A']],
      ['unconverted-amount', 1, 2, ['O2']],
    ]);
    expect(a.quality?.issues[0]?.message).toBe(
      '1 of 1 entity looks like a duplicate of an account in another family (same domain acme.com, name "acme"): merge the duplicates or set the parent account of A',
    );
    // The score as computed: revenue share (30) and class A (15) pass, potential (15) and active
    // contacts (15) fail, growth and margin have no data: 45 / 75 = 60.
    expect(a.reasons[0]).toBe('★ Not tiered, score 60.0: data confidence 25% is below 60%');
    expect(a.reasons[1]).toMatch(/^! 1 of 1 entity looks like a duplicate/);
    expect(a.reasons[2]).toMatch(/^! 1 of 2 opportunities has amounts in a currency without an exchange rate, left out of revenue: add the rate, then check O2$/);
    expect(a.reasons.some((l) => l.startsWith('→'))).toBe(false);
    const acc = r.accounts.find((x) => x.id === 'A');
    expect(acc?.kam_tier).toBeNull();
    expect(acc?.kam_key_account).toBe(false);
    expect(acc?.kam_why).toBe('Not tiered: because suspected duplicates: 1 of 1 entities; no exchange rate for 1 of 2 opportunities');
    // B: only the duplicate, 1 - 0.5 = 0.5 < 0.6: not tiered either; and never drift.
    expect(family(r, 'B').tier).toBeNull();
    expect(r.drift).toEqual([]);
    expect(r.portfolio.keyFamilies).toBe(0);
  });

  it('counts unknown products per line item and contacts without an account by email domain', () => {
    const s = snapshot({
      accounts: [account('A', { ...known, domain: 'acme.com' })],
      products: [product('X')],
      contacts: [contact('C1', 'A'), contact('C2', null, { email: 'bo@ACME.com' }), contact('C3', 'GONE', { email: 'cy@acme.com' }), contact('C4', null, { email: 'x@other.org' })],
      opportunities: [opp('O1', 'A', 'won', '2026-03-01', [['X', 1000], ['Y', 500], ['Z', 10]]), opp('O2', 'A', 'open', '2026-09-01', [['X', 10]])],
    });
    const f = family(run(s), 'A');
    // Unknown products: 2 of 4 line items (0.25 x 0.5 = 0.125); contacts: C2 and C3 of 3
    // (C1, C2, C3): 0.25 x 0.666667 = 0.166667. 1 - 0.291667 = 0.708333 -> 0.71.
    expect(f.quality?.confidence).toBe(0.71);
    expect(f.quality?.tiered).toBe(true);
    expect(f.quality?.issues.map((i) => [i.kind, i.count, i.of, i.share, i.records])).toEqual([
      ['contact-without-account', 2, 3, 0.666667, ['C2', 'C3']],
      ['unknown-product', 2, 4, 0.5, ['O1']],
    ]);
    expect(f.quality?.issues[0]?.message).toBe('2 contacts without an account have an email at acme.com: link C2, C3 to their account');
  });

  it('compares names between ultimate parents only, domains between all entities', () => {
    const s = snapshot({
      accounts: [
        account('A', { ...known, name: 'Alpha Group' }), account('A1', { ...known, parentId: 'A', name: 'Digital APAC' }),
        account('B', { ...known, name: 'Beta Group' }), account('B1', { ...known, parentId: 'B', name: 'Digital APAC', domain: 'beta.com' }),
        account('C', { ...known, name: 'Gamma', domain: 'beta.com' }),
      ],
      products: [product('X')],
      opportunities: [opp('O1', 'A', 'won', '2026-03-01', [['X', 1000]])],
    });
    const r = run(s);
    // A1 and B1 share a name but are subsidiaries: no issue for A. B1 and C share a domain.
    expect(family(r, 'A').quality?.issues).toEqual([]);
    expect(family(r, 'B').quality?.issues.map((i) => [i.kind, i.count, i.of, i.records])).toEqual([['suspected-duplicate', 1, 2, ['B1']]]);
    // 1 - 0.5 x 0.5 = 0.75.
    expect(family(r, 'B').quality?.confidence).toBe(0.75);
  });

  it('follows the configured minimum and weights', () => {
    const s = snapshot({
      accounts: [account('A')],
      products: [product('X')],
      opportunities: [opp('O1', 'A', 'won', '2026-03-01', [['X', 1000]])],
    });
    expect(family(run(s), 'A').quality?.confidence).toBe(0.75);
    expect(family(run(s, { quality: { minConfidence: 0.8 } }), 'A').tier).toBeNull();
    expect(family(run(s, { quality: { weights: { noPeers: 0 } } }), 'A').quality).toEqual({
      confidence: 1, tiered: true, issues: [expect.objectContaining({ kind: 'no-peers', weight: 0 })],
    });
    expect(family(run(s, { quality: { minConfidence: 0 } }), 'A').tier).toBe('Key');
  });

  it('keeps a manager override in force when not tiered', () => {
    const s = snapshot({
      accounts: [account('A', { extra: { kam_override_tier: 'Develop', kam_override_reason: 'pilot', kam_override_until: '2026-12-31', kam_override_by: 'Dana' } })],
      products: [product('X')],
      opportunities: [opp('O1', 'A', 'won', '2026-03-01', [['X', 1000]])],
    });
    const f = family(run(s, { quality: { minConfidence: 0.9 } }), 'A');
    expect(f.quality?.tiered).toBe(false);
    expect(f.tier).toBe('Develop');
  });

  it('rejects a bad setting by its path', () => {
    expect(() => parseAnalysisConfig({ quality: { minConfidence: 2 } })).toThrow('quality.minConfidence: quality.minConfidence must be within 0..1');
    expect(() => parseAnalysisConfig({ quality: { weights: { typo: 1 } } })).toThrow('quality.weights.typo: unknown key');
  });

  it('normalises names without legal forms or punctuation', () => {
    expect(normalName('The ACME, Inc.')).toBe('acme');
    expect(normalName('Müller GmbH & Co. KG')).toBe('muller');
  });
});
