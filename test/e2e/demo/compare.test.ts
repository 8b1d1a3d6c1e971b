import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/analyze/index.ts';
import { DEFAULT_ANALYSIS_CONFIG } from '../../../src/config/analysis-config.ts';
import { compareAnalyses, crmToSeed } from '../../../src/demo/compare.ts';
import type { AnalysisResult } from '../../../src/model/insights.ts';
import { parseSnapshot } from '../../../src/model/snapshot.ts';

function golden(): AnalysisResult {
  const path = fileURLToPath(new URL('../../fixtures/hubspot/golden-expected.json', import.meta.url));
  const { snapshot } = parseSnapshot(JSON.parse(readFileSync(path, 'utf8')));
  return analyze({ snapshot, config: DEFAULT_ANALYSIS_CONFIG, asOf: '2026-06-30', rejected: [] });
}

/** The same analysis under other account ids, as a second CRM would number them. */
function renumbered(r: AnalysisResult): AnalysisResult {
  return JSON.parse(JSON.stringify(r).replace(/"10([123])"/g, '"X$1"')) as AnalysisResult;
}

const seeds = new Map([['101', 'S1'], ['102', 'S2'], ['103', 'S3']]);
const otherSeeds = new Map([['X1', 'S1'], ['X2', 'S2'], ['X3', 'S3']]);

describe('comparing the two CRMs\' analyses', () => {
  it('matches families through their seed ids: the same analysis under other ids agrees', () => {
    const a = golden();
    const cmp = compareAnalyses(a, seeds, renumbered(a), otherSeeds, { a: 'Salesforce', b: 'HubSpot' });
    expect(cmp).toEqual({ families: 2, matching: 2, differences: [], criteriaDiffering: {} });
  });

  it('names a family whose score and criterion differ, and one side missing a family', () => {
    const a = golden();
    const b = renumbered(a);
    const acme = b.families.find((f) => f.id === 'X1');
    if (!acme) throw new Error('fixture changed: no family X1');
    acme.score = 50;
    acme.criteria = acme.criteria.map((c) => (c.id === 'relationships' ? { ...c, value: 7 } : c));
    b.families = b.families.filter((f) => f.id !== 'X3');
    const cmp = compareAnalyses(a, seeds, b, otherSeeds, { a: 'Salesforce', b: 'HubSpot' });
    expect(cmp.families).toBe(2);
    expect(cmp.matching).toBe(0);
    expect(cmp.criteriaDiffering).toEqual({ relationships: 1 });
    expect(cmp.differences).toHaveLength(2);
    expect(cmp.differences[0]).toMatch(/^Acme Group \(S1\): Salesforce Key, score .*; HubSpot Key, score 50\.0,/);
    expect(cmp.differences[1]).toBe('Beta Ltd (S3): only in Salesforce');
  });

  it('inverts a seed -> CRM id table', () => {
    expect(crmToSeed({ 'ACC-1': '001A', 'ACC-2': '001B' })).toEqual(new Map([['001A', 'ACC-1'], ['001B', 'ACC-2']]));
  });
});
