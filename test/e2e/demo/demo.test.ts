import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDemo, secondRunClean } from '../../../src/demo/render.ts';
import { runDemo, type DemoResult } from '../../../src/demo/run.ts';
import { MIN_ACCOUNTS } from '../../../src/sandbox/generate.ts';
import { PLANTED } from '../../../src/sandbox/generate.ts';
import type { Sandbox } from '../../../src/sandbox/index.ts';

const AS_OF = '2026-06-30';

let result: DemoResult;
let sb: Sandbox;

beforeAll(async () => {
  // keep: the simulator stays up so the test can read what the demo left in it.
  result = await runDemo({ accounts: MIN_ACCOUNTS, seed: 3, asOf: AS_OF, keep: true, env: {} });
  if (!result.environment) throw new Error('runDemo with keep returned no environment');
  sb = result.environment.sandbox;
}, 120_000);

afterAll(async () => {
  await result?.environment?.close();
});

function sfAccount(seedId: string): Record<string, unknown> {
  const id = sb.ids.salesforce.accounts[seedId];
  if (!id) throw new Error(`no Salesforce id for ${seedId}`);
  const rec = sb.sf.record('Account', id);
  if (!rec) throw new Error(`no Salesforce Account ${id}`);
  return rec;
}

function hsCompany(seedId: string): Record<string, string | null> {
  const id = sb.ids.hubspot.accounts[seedId];
  if (!id) throw new Error(`no HubSpot id for ${seedId}`);
  const rec = sb.hs.object('companies', id);
  if (!rec) throw new Error(`no HubSpot company ${id}`);
  return rec.properties;
}

describe('the demo against the simulator', () => {
  it('syncs both CRMs in order and writes every account on the first run', () => {
    expect(result.crms.map((c) => c.crm)).toEqual(['salesforce', 'hubspot']);
    for (const c of result.crms) {
      expect(c.first.result.run.status).toBe('succeeded');
      expect(c.first.result.run.counts.accounts).toBe(MIN_ACCOUNTS);
      // Nothing was provisioned before: every account gets its values.
      expect(c.first.result.run.counts.written).toBe(MIN_ACCOUNTS);
      expect(c.first.result.run.counts.failed).toBe(0);
    }
  });

  it('leaves the planted 18% family marked Key in both CRMs, with its share and ultimate parent', () => {
    const sfRoot = sb.ids.salesforce.accounts[PLANTED.key18];
    const hsRoot = sb.ids.hubspot.accounts[PLANTED.key18];
    for (const seedId of [PLANTED.key18, `${PLANTED.key18}-05`]) {
      const sf = sfAccount(seedId);
      expect(sf['KAM_Tier__c']).toBe('Key');
      expect(sf['KAM_Key_Account__c']).toBe(true);
      expect(sf['KAM_Revenue_Share__c']).toBe(18);
      expect(sf['KAM_Ultimate_Parent__c']).toBe(`${sfRoot} Atlas Global Holdings`);
      const hs = hsCompany(seedId);
      expect(hs['kam_tier']).toBe('Key');
      expect(hs['kam_key_account']).toBe('true');
      expect(Number(hs['kam_revenue_share'])).toBe(18);
      expect(hs['kam_ultimate_parent']).toBe(`${hsRoot} Atlas Global Holdings`);
    }
  });

  it('does not make the 1% customer key, and flags the shrinking key account as declining', () => {
    expect(sfAccount(PLANTED.onePercent)['KAM_Tier__c']).not.toBe('Key');
    expect(hsCompany(PLANTED.onePercent)['kam_tier']).not.toBe('Key');
    expect(sfAccount(PLANTED.shrinking)['KAM_Tier__c']).toBe('Key');
    expect(String(sfAccount(PLANTED.shrinking)['KAM_Risks__c'])).toContain('declining');
    expect(String(hsCompany(PLANTED.shrinking)['kam_risks'])).toContain('declining');
  });

  it('holds in each CRM exactly the tier the analysis gave every account', () => {
    for (const c of result.crms) {
      const table = sb.ids[c.crm].accounts;
      const seedOf = new Map(Object.entries(table).map(([seed, crm]) => [crm, seed]));
      for (const a of c.analysis.accounts) {
        const seedId = seedOf.get(a.id);
        expect(seedId, `account ${a.id}`).toBeDefined();
        const held = c.crm === 'salesforce' ? sfAccount(seedId as string)['KAM_Tier__c'] : hsCompany(seedId as string)['kam_tier'];
        expect(held, `${c.crm} ${a.id}`).toBe(a.kam_tier);
      }
    }
  });

  it('reads the same org the same way from both CRMs: every family has the same tier, score and revenue', () => {
    expect(result.comparison.families).toBe(result.crms[0]?.analysis.families.length);
    expect(result.comparison.differences).toEqual([]);
    expect(result.comparison.criteriaDiffering).toEqual({});
  });

  it('second run: nothing to change, nothing written, no write call seen by the simulator', () => {
    for (const c of result.crms) {
      const run = c.second.result.run;
      expect(run.status).toBe('succeeded');
      expect(run.mode).toBe('incremental');
      expect(run.counts.plannedAccounts).toBe(0);
      expect(run.counts.written).toBe(0);
      expect(c.second.writeCalls).toEqual({ client: 0, simulator: 0 });
    }
    expect(secondRunClean(result)).toBe(true);
    // The simulator's own count of the second HubSpot run: reads only.
    expect(Object.keys(result.crms[1]?.second.simulatorCalls ?? {})).not.toContain('batchUpdate');
  });

  it('the first run used the fewest write calls the batch sizes allow', () => {
    const [sf, hs] = result.crms;
    // Salesforce collections take 200 records a call, HubSpot batch update 100.
    expect(sf?.first.result.run.apiUsage['collectionsUpdate']).toBe(Math.ceil(MIN_ACCOUNTS / 200));
    expect(hs?.first.result.run.apiUsage['batchUpdate']).toBe(Math.ceil(MIN_ACCOUNTS / 100));
    expect(sf?.first.simulatorCalls['collectionsUpdate']).toBe(Math.ceil(MIN_ACCOUNTS / 200));
  });

  it('prints the story: key families, matrices, loss scenario, fields written, calls, verdict', () => {
    const text = renderDemo(result, { color: false });
    expect(text).toContain('Key families (');
    expect(text).toContain('Atlas Global Holdings');
    expect(text).toContain('Penetration matrix:');
    expect(text).toContain('Loss scenarios');
    expect(text).toContain('Top whitespace');
    expect(text).toContain('KAM_Tier__c');
    expect(text).toContain('kam_tier');
    expect(text).toContain('Second run: nothing to change and nothing written (0 write calls) in either CRM.');
    expect(text).not.toContain(sb.salesforce.accessToken);
    expect(text).not.toContain(sb.hubspot.privateAppToken);
  });

  it('syncs the same org as a workbook: every account written, the same analysis as Salesforce, then nothing, then the same bytes', () => {
    if (!result.spreadsheet) throw new Error('the demo ran no spreadsheet part');
    const { demo, comparison } = result.spreadsheet;
    expect(demo.first.run.counts.written).toBe(MIN_ACCOUNTS);
    expect([demo.second.run.counts.plannedAccounts, demo.second.run.counts.written]).toEqual([0, 0]);
    expect(demo.sameBytes).toBe(true);
    expect(comparison.differences).toEqual([]);
    expect(demo.sheets.slice(0, 3)).toEqual(['Accounts', 'Key accounts', 'Concentration']);
    expect(demo.analysis.families.find((f) => f.id === PLANTED.key18)?.tier).toBe('Key');
    expect(renderDemo(result, { color: false })).toContain('Salesforce and the workbook give the same tier, score, revenue and penetration');
  });
});
