import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SourceKind } from '../../../connectors/kinds.ts';
import { SOURCE_KINDS } from '../../../connectors/registry.ts';
import type { PullPage } from '../../../src/contract/connector.ts';
import { HubSpotConnector } from '../../../connectors/hubspot/index.ts';
import { SalesforceConnector } from '../../../connectors/salesforce/index.ts';
import { SpreadsheetConnector } from '../../../connectors/spreadsheet/index.ts';
import { analyze } from '../../../src/analyze/index.ts';
import { DEFAULT_ANALYSIS_CONFIG } from '../../../src/config/analysis-config.ts';
import type { AnalysisResult } from '../../../src/model/insights.ts';
import { parseSnapshot, type Snapshot } from '../../../src/model/snapshot.ts';
import { snapshotFromPages } from '../../support/pulled-snapshot.ts';
import { loadGolden, servePortal } from '../hubspot/fake-portal.ts';
import { BASE as HS_BASE } from '../hubspot/helpers.ts';
import { loadGoldenOrg, serveOrg, SF_INSTANCE, type OrgData } from './fake-org.ts';
import { multiCurrencyOrg, multiCurrencyPortal } from './multi-currency.ts';
import type { PortalData } from '../hubspot/fake-portal.ts';

/**
 * The same customer base, once in Salesforce's shapes and once in HubSpot's, pulled through
 * the real connectors (HTTP mocked), must give the same snapshot and the same analysis once
 * each Salesforce id is swapped for its HubSpot twin.
 */

const AS_OF = '2026-06-30';

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

async function pullAll(c: SalesforceConnector | HubSpotConnector): Promise<PullPage[]> {
  const pages: PullPage[] = [];
  for await (const p of c.pull({ mode: 'full', cursors: {} })) pages.push(p);
  return pages;
}

/** Every Salesforce id, wherever it stands (fields, reasons, messages), replaced by its HubSpot twin. */
function toHubSpotIds<T>(value: T, ids: Record<string, string>): T {
  let text = JSON.stringify(value);
  for (const [sf, hs] of Object.entries(ids)) text = text.split(sf).join(hs);
  return JSON.parse(text) as T;
}

async function pullSalesforce(org: OrgData): Promise<{ snapshot: Snapshot; soql: string[] }> {
  const soql = serveOrg(org);
  const sf = new SalesforceConnector({
    instanceUrl: SF_INSTANCE,
    accessToken: 'golden-test-token',
    markedKeyField: 'Key_Account__c',
    referenceableField: 'Referenceable__c',
    costField: 'Cost__c',
    retry: { retries: 0, minDelayMs: 1, maxDelayMs: 1 },
  });
  const pages = await pullAll(sf);
  expect(pages.flatMap((p) => p.issues)).toEqual([]);
  const { snapshot, rejected } = snapshotFromPages(pages, 'salesforce', await sf.currency());
  expect(rejected).toEqual([]);
  return { snapshot, soql };
}

async function pullHubSpot(portal: PortalData = loadGolden()): Promise<Snapshot> {
  servePortal(portal);
  const hs = new HubSpotConnector({
    baseUrl: HS_BASE,
    auth: { kind: 'private-app', token: 'golden-test-token' },
    referenceableProperty: 'kam_referenceable',
    // The fixture portal keeps the family and the line's whole cost in these properties.
    productFamilyProperty: 'hs_product_family',
    lineItemCostPer: 'line',
    retry: { retries: 0, minDelayMs: 1, maxDelayMs: 1 },
  });
  const pages = await pullAll(hs);
  expect(pages.flatMap((p) => p.issues)).toEqual([]);
  const { snapshot, rejected } = snapshotFromPages(pages, 'hubspot', await hs.currency());
  expect(rejected).toEqual([]);
  return snapshot;
}

/**
 * What a Salesforce org cannot hold: a checkbox is true or false, never unknown. The HubSpot
 * side's unknown `markedKey` and `kam_key_account` read as false there.
 */
function asSalesforceCanHoldIt(s: Snapshot): Snapshot {
  return {
    ...s,
    accounts: s.accounts.map((a) => ({
      ...a,
      markedKey: a.markedKey ?? false,
      fields: { ...a.fields, kam_key_account: a.fields['kam_key_account'] ?? false },
    })),
  };
}

const SHEET_FOLDER = fileURLToPath(new URL('../../fixtures/spreadsheet/golden', import.meta.url));
/** How the fixture's export is written: semicolons, dd.mm.yyyy, decimal commas, names for some references. */
const SHEET_OPTIONS = { currency: 'EUR', dateFormat: 'dd.mm.yyyy', decimalComma: true } as const;

async function pullSpreadsheet(path: string): Promise<Snapshot> {
  const dir = mkdtempSync(join(tmpdir(), 'kamflow-golden-'));
  try {
    const c = new SpreadsheetConnector(path, { ...SHEET_OPTIONS, output: join(dir, 'out.kamflow.xlsx') });
    const pages: PullPage[] = [];
    for await (const p of c.pull({ mode: 'full', cursors: {} })) pages.push(p);
    expect(pages.flatMap((p) => p.issues)).toEqual([]);
    const { snapshot, rejected } = snapshotFromPages(pages, 'spreadsheet', await c.currency());
    expect(rejected).toEqual([]);
    return snapshot;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The fixture's CSV files as the sheets of one workbook, every cell kept as the text it is. */
async function csvFolderAsWorkbook(path: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  for (const file of readdirSync(SHEET_FOLDER).filter((f) => f.endsWith('.csv')).sort()) {
    const ws = wb.addWorksheet(basename(file, '.csv'));
    for (const line of readFileSync(join(SHEET_FOLDER, file), 'utf8').split('\r\n').filter((l) => l !== '')) {
      ws.addRow(line.split(';').map((c) => (c === '' ? null : c)));
    }
  }
  await wb.xlsx.writeFile(path);
}

/**
 * Each registered source's half of the golden customer base, pulled through its real connector
 * and put in the golden ids (HubSpot's ids are those ids): a source without one does not compile.
 */
const GOLDEN = {
  salesforce: async () => {
    const org = loadGoldenOrg();
    return toHubSpotIds((await pullSalesforce(org)).snapshot, org.idsInHubSpot);
  },
  hubspot: pullHubSpot,
  // The spreadsheet's ids are the golden ids: an export of the same customers.
  spreadsheet: () => pullSpreadsheet(SHEET_FOLDER),
} satisfies Record<SourceKind, () => Promise<Snapshot>>;

function run(snapshot: Snapshot): AnalysisResult {
  const parsed = parseSnapshot(snapshot);
  expect(parsed.rejected).toEqual([]);
  return analyze({ snapshot: parsed.snapshot, config: DEFAULT_ANALYSIS_CONFIG, asOf: AS_OF, rejected: [] });
}

/**
 * The snapshot without its conversion notes: what the analysis sums. (The notes say how each CRM
 * got there, by its own source, and are compared on their own.)
 */
function amountsOnly(s: Snapshot): Snapshot {
  return {
    ...s,
    opportunities: s.opportunities.map(({ conversion: _c, lineItems, ...o }) => ({ ...o, lineItems: lineItems.map(({ conversion: _l, ...li }) => li) })),
  };
}

/** What each CRM held for every converted amount: currency and amount, by record id. */
function heldAmounts(s: Snapshot): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of s.opportunities) {
    if (o.conversion) out[o.id] = `${o.conversion.amount} ${o.conversion.currency}`;
    for (const li of o.lineItems) if (li.conversion) out[li.id] = `${li.conversion.amount} ${li.conversion.currency}`;
  }
  return out;
}

function withoutCurrencies(r: AnalysisResult): AnalysisResult {
  const { currencies: _c, ...rest } = r;
  return rest;
}

/** A result as its JSON: the id mapping goes through JSON, where the matrix is its columns. */
const asJson = <T,>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('golden: one customer base in every registered source', () => {
  const [reference, ...others] = SOURCE_KINDS;
  it.each(others.map((kind) => [kind]))(`%s gives the snapshot and the analysis ${reference} gives, once ids are matched`, async (kind) => {
    const base = asSalesforceCanHoldIt(amountsOnly(await GOLDEN[reference]()));
    const other = asSalesforceCanHoldIt(amountsOnly(await GOLDEN[kind]()));
    expect({ ...other, source: base.source }).toEqual(base);
    expect(asJson(withoutCurrencies(run(other)))).toEqual(asJson(withoutCurrencies(run(base))));
  });

  it('the spreadsheet half gives the same snapshot from a workbook as from its folder of CSV files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kamflow-golden-xlsx-'));
    try {
      const workbook = join(dir, 'golden.xlsx');
      await csvFolderAsWorkbook(workbook);
      expect(await pullSpreadsheet(workbook)).toEqual(await pullSpreadsheet(SHEET_FOLDER));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the Salesforce half reads every object of the org, each in one query', async () => {
    const { soql } = await pullSalesforce(loadGoldenOrg());
    const objects = soql.map((q) => /FROM (\w+)(?: ORDER BY Id)?$/.exec(q)?.[1] ?? q).sort();
    // The currency comes from CurrencyType (refused: single-currency org), then the SOAP API getUserInfo.
    expect(objects).toEqual(['Account', 'Contact', 'CurrencyType', 'Opportunity', 'Opportunity', 'OpportunityContactRole', 'Product2', 'SOAP getUserInfo', 'User']);
  });

  it('gives the same snapshot, source aside, once ids are matched', async () => {
    const org = loadGoldenOrg();
    const { snapshot: sf } = await pullSalesforce(org);
    const hs = await pullHubSpot();
    const sfInHubSpotIds = toHubSpotIds(sf, org.idsInHubSpot);
    // The single-currency org holds the US order in EUR; the portal in USD, converted by HubSpot.
    expect({ ...amountsOnly(sfInHubSpotIds), source: 'hubspot' }).toEqual(asSalesforceCanHoldIt(amountsOnly(hs)));
    expect(heldAmounts(sf)).toEqual({});
    expect(heldAmounts(hs)).toEqual({ 404: '1000 USD' });
    // Spot checks worked out from the fixtures: the deal in USD counts in the company currency,
    // the open deal with no close date falls back to its creation day, an empty amount sums its lines.
    expect(sf.currency).toBe('EUR');
    expect(sfInHubSpotIds.opportunities.find((o) => o.id === '404')?.amount).toBe(920.5);
    expect(hs.opportunities.find((o) => o.id === '402')?.closeDate).toBe('2026-05-01');
    expect(hs.opportunities.find((o) => o.id === '402')?.lineItems[0]?.totalPrice).toBe(5000);
  });

  it('gives the same analysis', async () => {
    const org = loadGoldenOrg();
    const { snapshot: sf } = await pullSalesforce(org);
    const hs = await pullHubSpot();
    const fromSf = toHubSpotIds(run(sf), org.idsInHubSpot);
    const fromHs = run(hs);
    expect(fromSf).toEqual(asJson(withoutCurrencies(fromHs)));
    // Worked out by hand: Acme's family won 12,000 + 920.50 in the window, all revenue there is;
    // Beta's lost pilot counts nothing.
    const acme = fromHs.families.find((f) => f.id === '101');
    expect(acme?.revenue).toBe(12920.5);
    expect(acme?.revenueShare).toBe(1);
    expect(acme?.tier).toBe('Key');
    expect(acme?.entityIds).toEqual(['101', '102']);
    expect(fromHs.families.find((f) => f.id === '103')?.revenue).toBe(0);
  });
});

describe('golden: the same customers with amounts in GBP, USD and EUR', () => {
  it('gives the same amounts in both CRMs, each converted with the CRM\'s own rates', async () => {
    const org = multiCurrencyOrg(loadGoldenOrg());
    const { snapshot: sf } = await pullSalesforce(org);
    const hs = await pullHubSpot(multiCurrencyPortal(loadGolden()));
    expect(sf.currency).toBe('EUR');
    const sfInHubSpotIds = toHubSpotIds(sf, org.idsInHubSpot);
    expect({ ...amountsOnly(sfInHubSpotIds), source: 'hubspot' }).toEqual(asSalesforceCanHoldIt(amountsOnly(hs)));
    // Both CRMs held the same foreign amounts.
    const held = { 401: '9600 GBP', 402: '6250 USD', 404: '1150.63 USD', 501: '8000 GBP', 502: '1600 GBP', 503: '6250 USD' };
    expect(heldAmounts(sfInHubSpotIds)).toEqual(held);
    expect(heldAmounts(hs)).toEqual(held);
    // And every converted amount is the EUR amount of the single-currency golden.
    expect(amountsOnly(hs)).toEqual(amountsOnly(await pullHubSpot()));
  });

  it('gives the same analysis as the single-currency golden, and says which rates it used', async () => {
    const org = multiCurrencyOrg(loadGoldenOrg());
    const fromSf = run((await pullSalesforce(org)).snapshot);
    const fromHs = run(await pullHubSpot(multiCurrencyPortal(loadGolden())));
    const single = run(await pullHubSpot());
    expect(withoutCurrencies(toHubSpotIds(fromSf, org.idsInHubSpot))).toEqual(asJson(withoutCurrencies(single)));
    expect(withoutCurrencies(fromHs)).toEqual(withoutCurrencies(single));
    expect(fromHs.families.find((f) => f.id === '101')?.revenue).toBe(12920.5);
    // Worked out by hand from the rates above.
    expect(fromSf.currencies).toEqual({
      converted: [
        { currency: 'GBP', rate: 1.25, source: 'Salesforce CurrencyType', amounts: 3, original: 19200, converted: 24000 },
        { currency: 'USD', rate: 0.8, source: 'Salesforce CurrencyType', amounts: 3, original: 13650.63, converted: 10920.5 },
      ],
      leftOut: [],
    });
    expect(fromHs.currencies).toEqual({
      converted: [
        { currency: 'GBP', rate: null, source: 'HubSpot amount_in_home_currency', amounts: 1, original: 9600, converted: 12000 },
        { currency: 'GBP', rate: 1.25, source: 'HubSpot exchange rate', amounts: 2, original: 9600, converted: 12000 },
        { currency: 'USD', rate: null, source: 'HubSpot amount_in_home_currency', amounts: 1, original: 1150.63, converted: 920.5 },
        { currency: 'USD', rate: 0.8, source: 'HubSpot exchange rate', amounts: 2, original: 12500, converted: 10000 },
      ],
      leftOut: [],
    });
  });
});
