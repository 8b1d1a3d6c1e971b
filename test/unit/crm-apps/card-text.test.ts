import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import * as hubspot from '../../../crm-apps/hubspot/src/app/cards/kamText.ts';
import { analyze } from '../../../src/analyze/index.ts';
import { REASON_MARKS } from '../../../src/analyze/reasons.ts';
import { DEFAULT_ANALYSIS_CONFIG } from '../../../src/config/analysis-config.ts';
import type { AnalysisResult } from '../../../src/model/insights.ts';
import { parseSnapshot } from '../../../src/model/snapshot.ts';
import { SALESFORCE_PROJECT_DIR } from '../../../crm-apps/tools/salesforce-mdapi.ts';

/**
 * The two cards read Kamflow's texts with two copies of one reader (each CRM builds its card from
 * its own folder): kamText.js in the Lightning component and kamText.ts in the HubSpot card. These
 * tests hold both to the engine's actual output and to each other.
 */

type Fn = (...args: unknown[]) => unknown;
let lwc: Record<string, Fn>;
const NAMES = ['parseReasons', 'parseOffers', 'parseCoverage', 'parseRisks', 'parseUltimateParent', 'freshness', 'freshnessTexts', 'formatScore'] as const;

let analysis: AnalysisResult;

beforeAll(async () => {
  const url = pathToFileURL(join(SALESFORCE_PROJECT_DIR, 'force-app', 'main', 'default', 'lwc', 'kamAccountCard', 'kamText.js')).href;
  const mod: unknown = await import(url);
  const found: Record<string, Fn> = {};
  for (const name of NAMES) {
    const f: unknown = typeof mod === 'object' && mod !== null ? Reflect.get(mod, name) : undefined;
    if (typeof f !== 'function') throw new Error(`kamText.js does not export ${name}`);
    found[name] = f as Fn;
  }
  lwc = found;
  const text = readFileSync(new URL('../../fixtures/sample-snapshot.json', import.meta.url), 'utf8');
  analysis = analyze({ snapshot: parseSnapshot(JSON.parse(text)).snapshot, config: DEFAULT_ANALYSIS_CONFIG, asOf: '2026-11-22' });
});

describe("the cards' reader of the engine's texts", () => {
  it("parses every account's reasons into a summary, one marked line per criterion and the nearest threshold", () => {
    const families = new Map(analysis.families.map((f) => [f.id, f]));
    expect(analysis.accounts.length).toBe(70);
    for (const a of analysis.accounts) {
      const r = hubspot.parseReasons(a.kam_reasons);
      const family = families.get(a.familyId);
      expect(family).toBeDefined();
      expect(r.other, a.id).toEqual([]);
      expect(r.summary?.startsWith(`${a.kam_tier}, score ${a.kam_score.toFixed(1)}: `), a.id).toBe(true);
      // The marks say what the machine-readable criteria say, in the same order.
      expect(r.criteria.map((c) => c.outcome), a.id).toEqual(family?.criteria.map((c) => (c.passed === null ? 'noData' : c.passed ? 'pass' : 'fail')));
      expect(a.kam_why.length).toBeLessThanOrEqual(255);
      expect(a.kam_why.startsWith(`${a.kam_tier}: `), a.id).toBe(true);
    }
    const nearest = analysis.accounts.filter((a) => hubspot.parseReasons(a.kam_reasons).nearest !== null);
    expect(nearest.length).toBeGreaterThan(0);
  });

  it('reads offers, coverage, risks and parent from every account as the engine wrote them', () => {
    let offers = 0;
    let risks = 0;
    for (const a of analysis.accounts) {
      for (const o of hubspot.parseOffers(a.kam_next_best_offers)) {
        offers++;
        expect(o.offering, a.kam_next_best_offers).not.toBe('');
        expect(o.evidence).toContain(` buy ${o.offering}; est. `);
      }
      const c = hubspot.parseCoverage(a.kam_contact_coverage);
      expect(c, a.kam_contact_coverage).not.toBeNull();
      for (const r of hubspot.parseRisks(a.kam_risks)) {
        risks++;
        expect(r.id, a.kam_risks).toMatch(/^(declining|single-threaded|stalled|concentration|owner-dependence)$/);
        expect(r.label).not.toContain('-threaded-');
      }
      expect(hubspot.parseUltimateParent(a.kam_ultimate_parent)?.id).toBe(a.familyId);
    }
    expect(offers).toBeGreaterThan(0);
    expect(risks).toBeGreaterThan(0);
  });

  it('gives the same structures in the Salesforce and the HubSpot card', () => {
    for (const a of analysis.accounts) {
      expect(lwc['parseReasons']?.(a.kam_reasons)).toEqual(hubspot.parseReasons(a.kam_reasons));
      expect(lwc['parseOffers']?.(a.kam_next_best_offers)).toEqual(hubspot.parseOffers(a.kam_next_best_offers));
      expect(lwc['parseCoverage']?.(a.kam_contact_coverage)).toEqual(hubspot.parseCoverage(a.kam_contact_coverage));
      expect(lwc['parseRisks']?.(a.kam_risks)).toEqual(hubspot.parseRisks(a.kam_risks));
      expect(lwc['parseUltimateParent']?.(a.kam_ultimate_parent)).toEqual(hubspot.parseUltimateParent(a.kam_ultimate_parent));
      expect(lwc['formatScore']?.(a.kam_score)).toEqual(hubspot.formatScore(a.kam_score));
      expect(lwc['formatScore']?.(String(a.kam_score))).toEqual(hubspot.formatScore(String(a.kam_score)));
    }
    const odd = [null, '', 'plain line', `${REASON_MARKS.override} Overridden by Dana Lee until 2027-03-31: partner\n✓no space\n→ x\n→ y`, '7 contact (target 3-5)', '12 contacts (target 3-5)', 'risk without colon', '001'];
    for (const t of odd) {
      for (const name of ['parseReasons', 'parseOffers', 'parseCoverage', 'parseRisks', 'parseUltimateParent'] as const) {
        expect(lwc[name]?.(t), `${name}(${JSON.stringify(t)})`).toEqual((hubspot[name] as (x: unknown) => unknown)(t));
      }
    }
  });

  it('decides freshness and words it alike', () => {
    const cases = [
      { tier: null, updatedAt: null, lastRunFinishedAt: null, nextRunDueBy: null, now: 0 },
      { tier: 'Key', updatedAt: '2026-11-20T02:10:00.000Z', lastRunFinishedAt: null, nextRunDueBy: null, now: Date.parse('2026-11-23T09:00:00Z') },
      { tier: 'Key', updatedAt: '1795140600000', lastRunFinishedAt: '2026-11-23T02:05:00.000Z', nextRunDueBy: '2026-11-24T04:00:00.000Z', now: Date.parse('2026-11-23T09:00:00Z') },
      { tier: 'Key', updatedAt: 'garbage', lastRunFinishedAt: '2026-11-21T02:05:00.000Z', nextRunDueBy: '2026-11-22T04:00:00.000Z', now: Date.parse('2026-11-23T09:00:00Z') },
      { tier: 'Develop', updatedAt: null, lastRunFinishedAt: '2026-11-21T02:05:00.000Z', nextRunDueBy: null, now: Date.parse('2030-01-01T00:00:00Z') },
    ];
    const at = (i: number) => {
      const c = cases[i];
      if (!c) throw new Error(`no case ${i}`);
      return c;
    };
    const states = cases.map((c) => hubspot.freshness(c).state);
    expect(states).toEqual(['not-analysed', 'unknown', 'fresh', 'stale', 'fresh']);
    for (const c of cases) {
      const h = hubspot.freshness(c);
      expect(lwc['freshness']?.(c)).toEqual(h);
      expect(lwc['freshnessTexts']?.(h, 'de-DE', 'Europe/Berlin')).toEqual(hubspot.freshnessTexts(h, 'de-DE', 'Europe/Berlin'));
    }
    // 04:00 UTC is 05:00 in Berlin in November.
    expect(hubspot.freshnessTexts(hubspot.freshness(at(3)), 'en-GB', 'Europe/Berlin').stale).toBe(
      'These values may be out of date: Kamflow last finished a run on 21 Nov 2026, 03:05 and the next run was due by 22 Nov 2026, 05:00.',
    );
    // An unknown zone falls back to the stored timestamps rather than failing.
    expect(hubspot.freshnessTexts(hubspot.freshness(at(2)), 'en-GB', 'Nowhere/Atlantis').footer).toBe('Checked by Kamflow on 2026-11-23T02:05:00.000Z. Last changed 1795140600000.');
  });
});

describe("the cards' reader of a family left untiered", () => {
  it('reads the data issues and keeps the family analysed, alike in both readers', () => {
    const snap = parseSnapshot({
      version: 2, source: 'file', currency: 'USD', contacts: [], users: [],
      accounts: [
        { id: 'A', name: 'Acme Inc', industry: 'Retail', employees: 500, domain: 'acme.com' },
        { id: 'B', name: 'Acme Ltd', industry: 'Retail', employees: 500, domain: 'acme.com' },
      ],
      products: [{ id: 'P', name: 'X' }],
      opportunities: [{ id: 'O1', accountId: 'A', status: 'won', amount: 100, closeDate: '2026-05-01', lineItems: [{ id: 'L1', productId: 'P', totalPrice: 100 }] }],
    }).snapshot;
    const r = analyze({ snapshot: snap, config: DEFAULT_ANALYSIS_CONFIG, asOf: '2026-11-22' });
    const a = r.accounts.find((x) => x.id === 'A');
    expect(a?.kam_tier).toBeNull();
    const parsed = hubspot.parseReasons(a?.kam_reasons);
    expect(lwc['parseReasons']?.(a?.kam_reasons)).toEqual(parsed);
    expect(parsed.dataIssues).toEqual(['1 of 1 entity looks like a duplicate of an account in another family (same domain acme.com, name "acme"): merge the duplicates or set the parent account of A']);
    const input = { tier: null, updatedAt: null, lastRunFinishedAt: '2026-11-22T02:00:00Z', nextRunDueBy: null, now: 0, reasons: a?.kam_reasons };
    expect(hubspot.freshness(input).state).toBe('fresh');
    expect(lwc['freshness']?.(input)).toEqual(hubspot.freshness(input));
    expect(hubspot.freshness({ ...input, reasons: null }).state).toBe('not-analysed');
    expect(hubspot.parseRisks('relationship-owner: all 2 known relationships are on deals owned by U1')[0]?.label).toBe('Relationship owner');
    expect(lwc['parseRisks']?.('relationship-owner: x')).toEqual(hubspot.parseRisks('relationship-owner: x'));
  });
});
