import jsforce from 'jsforce';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../../src/sandbox/index.ts';
import { manyAccounts, smallSnapshot } from './fixture.ts';

let sb: Sandbox | undefined;

async function start(options: SandboxOptions): Promise<{ sb: Sandbox; conn: jsforce.Connection }> {
  sb = await startSandbox(options);
  const conn = new jsforce.Connection({ instanceUrl: sb.salesforce.instanceUrl, accessToken: sb.salesforce.accessToken, version: '62.0' });
  return { sb, conn };
}

afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

async function errorOf(p: PromiseLike<unknown>): Promise<{ errorCode?: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { errorCode?: string; message: string };
  }
  throw new Error('expected the call to fail');
}

describe('Salesforce reads through jsforce', () => {
  it('pages a query by batch size with nextRecordsUrl and queryMore', async () => {
    const { sb: s, conn } = await start({ seed: manyAccounts(450) });
    const first = await conn.query<{ Name: string }>('SELECT Id, Name FROM Account ORDER BY Name', { headers: { 'Sforce-Query-Options': 'batchSize=200' } });
    expect(first.totalSize).toBe(450);
    expect(first.done).toBe(false);
    expect(first.records).toHaveLength(200);
    expect(first.nextRecordsUrl).toMatch(/\/services\/data\/v62\.0\/query\/01g[A-Za-z0-9]+-200$/);
    const second = await conn.queryMore<{ Name: string }>(first.nextRecordsUrl as string);
    expect(second.records).toHaveLength(200);
    expect(second.records[0]?.Name).toBe('Bulk 00201');
    const third = await conn.queryMore<{ Name: string }>(second.nextRecordsUrl as string);
    expect(third.done).toBe(true);
    expect(third.nextRecordsUrl).toBeUndefined();
    expect(third.records.map((r) => r.Name).slice(-1)).toEqual(['Bulk 00450']);
    expect(s.calls()).toMatchObject({ 'salesforce.query': 1, 'salesforce.queryMore': 2 });
  });

  it('keeps at most 10 open query cursors, closing the oldest', async () => {
    const { conn } = await start({ seed: manyAccounts(400) });
    const opts = { headers: { 'Sforce-Query-Options': 'batchSize=200' } };
    const first = await conn.query('SELECT Id FROM Account', opts);
    for (let i = 0; i < 9; i++) await conn.query('SELECT Id FROM Account', opts);
    expect((await conn.queryMore(first.nextRecordsUrl as string)).records).toHaveLength(200);
    const again = await conn.query('SELECT Id FROM Account', opts);
    for (let i = 0; i < 10; i++) await conn.query('SELECT Id FROM Account', opts);
    const e = await errorOf(conn.queryMore(again.nextRecordsUrl as string));
    expect(e.errorCode).toBe('INVALID_QUERY_LOCATOR');
  });

  it('clamps batch sizes below 200 and defaults to 2000', async () => {
    const { conn } = await start({ seed: manyAccounts(2100) });
    const small = await conn.query('SELECT Id FROM Account', { headers: { 'Sforce-Query-Options': 'batchSize=10' } });
    expect(small.records).toHaveLength(200);
    const dflt = await conn.query('SELECT Id FROM Account');
    expect(dflt.records).toHaveLength(2000);
  });

  it('returns child relationship subqueries, parent lookups and null for no children', async () => {
    const { sb: s, conn } = await start({ seed: smallSnapshot() });
    const res = await conn.query<Record<string, unknown>>(
      'SELECT Id, Name, Account.Name, (SELECT Quantity, TotalPrice, Cost__c, Product2.Family FROM OpportunityLineItems ORDER BY TotalPrice DESC) FROM Opportunity ORDER BY Name',
    );
    const byName = new Map(res.records.map((r) => [r['Name'], r]));
    const acme = byName.get('Acme 2026');
    expect(acme?.['Id']).toBe(s.ids.salesforce.opportunities['o1']);
    expect((acme?.['Account'] as { Name: string }).Name).toBe('Acme Holding');
    const items = acme?.['OpportunityLineItems'] as { totalSize: number; done: boolean; records: Record<string, unknown>[] };
    expect(items.totalSize).toBe(2);
    expect(items.records.map((r) => [r['Quantity'], r['TotalPrice'], r['Cost__c'], (r['Product2'] as { Family: string }).Family])).toEqual([
      [2, 800, 500, 'Hardware'],
      [1, 200, null, 'Services'],
    ]);
    expect(byName.get('West expansion')?.['OpportunityLineItems']).toBeNull();
  });

  it('pages a child relationship past 200 records with its own nextRecordsUrl', async () => {
    const seed = smallSnapshot();
    const big = seed.opportunities[0];
    if (!big) throw new Error('fixture changed');
    big.lineItems = Array.from({ length: 250 }, (_, i) => ({ id: `x${i}`, productId: 'p1', quantity: 1, totalPrice: i, cost: null }));
    const { conn } = await start({ seed });
    const soql = "SELECT Name, (SELECT TotalPrice FROM OpportunityLineItems ORDER BY TotalPrice) FROM Opportunity WHERE Name = 'Acme 2026'";
    const onePage = await conn.query<Record<string, unknown>>(soql);
    const items = onePage.records[0]?.['OpportunityLineItems'] as { totalSize: number; done: boolean; nextRecordsUrl: string; records: unknown[] };
    expect([items.totalSize, items.done, items.records.length]).toEqual([250, false, 200]);
    expect(items.nextRecordsUrl).toMatch(/^\/services\/data\/v62\.0\/query\/01g[A-Za-z0-9]+-200$/);
    const fetched = await conn.query<Record<string, unknown>>(soql, { autoFetch: true });
    const all = fetched.records[0]?.['OpportunityLineItems'] as { records: { TotalPrice: number }[] };
    expect(all.records.map((r) => r.TotalPrice)).toEqual(Array.from({ length: 250 }, (_, i) => i));
  });

  it('shows the seed as Salesforce records: stages, hierarchy, a dangling parent, contacts', async () => {
    const { sb: s, conn } = await start({ seed: smallSnapshot() });
    const opps = await conn.query<{ Name: string; StageName: string; IsWon: boolean; IsClosed: boolean; Amount: number | null }>(
      'SELECT Name, StageName, IsWon, IsClosed, Amount FROM Opportunity ORDER BY Name',
    );
    expect(opps.records.map((o) => [o.Name, o.StageName, o.IsWon, o.IsClosed, o.Amount])).toEqual([
      ['Acme 2026', 'Closed Won', true, true, 1000],
      ['Globex pilot', 'Prospecting', false, false, null],
      ['West expansion', 'Closed Lost', false, true, 500],
    ]);
    const orphan = await conn.query<{ ParentId: string; Parent: unknown }>("SELECT ParentId, Parent.Name FROM Account WHERE Name = 'Orphan Co'");
    expect(orphan.records[0]?.ParentId).toMatch(/^001/);
    expect(orphan.records[0]?.Parent).toBeNull();
    const lab = s.sf.record('Account', s.ids.salesforce.accounts['a3'] as string);
    expect(lab?.['ParentId']).toBe(s.ids.salesforce.accounts['a2']);
    const contacts = await conn.query<{ FirstName: string; LastName: string; Referenceable__c: boolean; AccountId: string | null }>(
      "SELECT FirstName, LastName, Referenceable__c, AccountId FROM Contact WHERE Email LIKE '%acme.test' ORDER BY LastName",
    );
    expect(contacts.records.map((c) => [c.FirstName, c.LastName, c.Referenceable__c])).toEqual([
      ['Carol', 'Diaz', false],
      ['Dan', 'Eve', true],
    ]);
  });

  it('answers SELECT COUNT() with totalSize and no records', async () => {
    const { conn } = await start({ seed: smallSnapshot() });
    const res = await conn.query("SELECT COUNT() FROM Contact WHERE AccountId != null");
    expect(res).toMatchObject({ totalSize: 3, done: true, records: [] });
  });

  it('answers bad SOQL with the API error codes', async () => {
    const { conn } = await start({ seed: smallSnapshot() });
    const malformed = await errorOf(conn.query('SELECT Id FROM'));
    expect(malformed.errorCode).toBe('MALFORMED_QUERY');
    const invalid = await errorOf(conn.query('SELECT Id, Bogus__c FROM Account'));
    expect(invalid.errorCode).toBe('INVALID_FIELD');
    expect(invalid.message).toContain("No such column 'Bogus__c' on entity 'Account'");
    const noCurrency = await errorOf(conn.query('SELECT IsoCode FROM CurrencyType'));
    expect(noCurrency.errorCode).toBe('INVALID_TYPE');
  });

  it('includes deleted records only through queryAll', async () => {
    const { sb: s, conn } = await start({ seed: smallSnapshot() });
    s.sf.delete('Account', s.ids.salesforce.accounts['a4'] as string);
    const live = await conn.query("SELECT Id FROM Account WHERE Name = 'Globex'");
    expect(live.totalSize).toBe(0);
    const all = await conn.query<{ Id: string; IsDeleted: boolean }>("SELECT Id, IsDeleted FROM Account WHERE IsDeleted = true", { scanAll: true });
    expect(all.records.map((r) => [r.Id, r.IsDeleted])).toEqual([[s.ids.salesforce.accounts['a4'], true]]);
    const deletedOpps = await conn.query('SELECT Id FROM Opportunity WHERE IsDeleted = true', { scanAll: true });
    expect(deletedOpps.totalSize).toBe(1);
    expect(s.calls()['salesforce.queryAll']).toBe(2);
  });

  it('sees sandbox edits through the incremental query, Get Updated and Get Deleted', async () => {
    const { sb: s, conn } = await start({ seed: smallSnapshot(), clockStart: '2026-06-01T00:00:00Z' });
    const full = await conn.query<{ Id: string; SystemModstamp: string }>('SELECT Id, SystemModstamp FROM Account ORDER BY SystemModstamp, Id');
    const last = full.records[full.records.length - 1] as { Id: string; SystemModstamp: string };
    const t = last.SystemModstamp.replace('+0000', 'Z');
    const incremental = `SELECT Id, Name FROM Account WHERE SystemModstamp > ${t} OR (SystemModstamp = ${t} AND Id > '${last.Id}') ORDER BY SystemModstamp, Id LIMIT 200`;
    expect((await conn.query(incremental)).totalSize).toBe(0);
    s.clock.advance(60_000);
    const a2 = s.ids.salesforce.accounts['a2'] as string;
    const a5 = s.ids.salesforce.accounts['a5'] as string;
    s.sf.update('Account', a2, { Name: 'Acme West Renamed' });
    s.sf.delete('Account', a5);
    const changed = await conn.query<{ Id: string; Name: string }>(incremental);
    expect(changed.records.map((r) => [r.Id, r.Name])).toEqual([[a2, 'Acme West Renamed']]);
    const updated = await conn.sobject('Account').updated('2026-06-01T00:00:30Z', '2026-06-01T00:05:00Z');
    expect(updated.ids).toEqual([a2]);
    const deleted = await conn.sobject('Account').deleted('2026-06-01T00:00:30Z', '2026-06-01T00:05:00Z');
    expect(deleted.deletedRecords.map((d) => d.id)).toEqual([a5]);
  });

  it('describes objects and converts currency in a multi-currency org', async () => {
    const { sb: s, conn } = await start({ seed: smallSnapshot(), multiCurrency: true });
    const d = await conn.sobject('Account').describe();
    const parent = d.fields.find((f) => f.name === 'ParentId');
    expect(parent).toMatchObject({ type: 'reference', referenceTo: ['Account'], relationshipName: 'Parent' });
    expect(d.childRelationships.map((c) => c.relationshipName)).toEqual(['ChildAccounts', 'Contacts', 'Opportunities']);
    const rates = await conn.query<{ IsoCode: string; IsCorporate: boolean; ConversionRate: number; DecimalPlaces: number }>('SELECT IsoCode, IsCorporate, ConversionRate, DecimalPlaces FROM CurrencyType ORDER BY IsoCode');
    // The default rates: 1 EUR = 2 USD, 1 GBP = 4 USD, 160 JPY = 1 USD.
    expect(rates.records.map((r) => [r.IsoCode, r.IsCorporate, r.ConversionRate, r.DecimalPlaces])).toEqual([
      ['EUR', false, 0.5, 2], ['GBP', false, 0.25, 2], ['JPY', false, 160, 0], ['USD', true, 1, 2],
    ]);
    s.sf.update('Opportunity', s.ids.salesforce.opportunities['o2'] as string, { CurrencyIsoCode: 'GBP' });
    const res = await conn.query<{ Amount: number; CurrencyIsoCode: string }>("SELECT convertCurrency(Amount), CurrencyIsoCode FROM Opportunity WHERE Name = 'West expansion'");
    // 500 GBP at 0.25 GBP per USD.
    expect(res.records[0]).toMatchObject({ Amount: 2000, CurrencyIsoCode: 'GBP' });
  });

  it('reports api usage in Sforce-Limit-Info and the limits resource', async () => {
    const { conn } = await start({ seed: smallSnapshot(), dailyLimit: 50 });
    await conn.query('SELECT Id FROM Account');
    await conn.query('SELECT Id FROM Contact');
    expect(conn.limitInfo).toEqual({ apiUsage: { used: 2, limit: 50 } });
    const limits = (await conn.limits()) as unknown as { DailyApiRequests: { Max: number; Remaining: number } };
    expect(limits.DailyApiRequests).toEqual({ Max: 50, Remaining: 47 });
  });

  it('returns 403 REQUEST_LIMIT_EXCEEDED once the daily limit is used', async () => {
    const { sb: s, conn } = await start({ seed: smallSnapshot(), dailyLimit: 2 });
    await conn.query('SELECT Id FROM Account');
    await conn.query('SELECT Id FROM Account');
    const e = await errorOf(conn.query('SELECT Id FROM Account'));
    expect(e.errorCode).toBe('REQUEST_LIMIT_EXCEEDED');
    expect(s.sf.apiUsage()).toEqual({ used: 2, max: 2 });
    s.resetDailyUsage();
    expect((await conn.query('SELECT Id FROM Account')).totalSize).toBe(5);
  });
});
