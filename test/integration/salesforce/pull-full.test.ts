import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INSTANCE, V, collect, limitHeader, makeConnector, mockNoDatedRates, mockSingleCurrency, queryMatching, rec, setupNock, soqlOf, teardownNock } from './helpers.ts';

const STARTED = '2026-06-30T12:00:00.000Z';

beforeEach(setupNock);
afterEach(teardownNock);

describe('full pull over REST', () => {
  it('follows nextRecordsUrl across three pages, each page carrying its resume cursor', async () => {
    const scope = nock(INSTANCE);
    mockSingleCurrency(scope, 'EUR');
    scope
      .get(`${V}/query`)
      .matchHeader('sforce-query-options', 'batchSize=200')
      .query(queryMatching(/^SELECT Id, Name, IsActive, SystemModstamp FROM User ORDER BY Id$/))
      .reply(200, { totalSize: 5, done: false, nextRecordsUrl: `${V}/query/01gU-2`, records: [rec('User', { Id: 'U1', Name: 'Ann', IsActive: true }), rec('User', { Id: 'U2', Name: 'Bob', IsActive: false })] }, limitHeader(4))
      .get(`${V}/query/01gU-2`)
      .reply(200, { totalSize: 5, done: false, nextRecordsUrl: `${V}/query/01gU-4`, records: [rec('User', { Id: 'U3', Name: 'Cy', IsActive: true }), rec('User', { Id: 'U4', Name: 'Di', IsActive: true })] }, limitHeader(5))
      .get(`${V}/query/01gU-4`)
      .reply(200, { totalSize: 5, done: true, records: [rec('User', { Id: 'U5', Name: 'Ed', IsActive: true })] }, limitHeader(6));

    const sf = makeConnector();
    const pages = await collect(sf.pull({ mode: 'full', cursors: {}, objects: ['users'] }));

    expect(pages.map((p) => p.records.map((r) => r.id))).toEqual([['U1', 'U2'], ['U3', 'U4'], ['U5']]);
    expect(pages[0]?.records[1]).toEqual({ id: 'U2', name: 'Bob', active: false });
    expect(pages.map((p) => p.cursor)).toEqual([
      { phase: 'full', afterId: 'U2', startedAt: STARTED },
      { phase: 'full', afterId: 'U4', startedAt: STARTED },
      { phase: 'incremental', ts: STARTED, id: '', complete: true },
    ]);
    expect(pages.map((p) => p.fullPullComplete ?? false)).toEqual([false, false, true]);
    // Users carry no amounts: the pull reads no currency.
    expect(sf.usage()).toEqual({ query: 1, queryMore: 2 });
    expect(sf.apiLimit()).toEqual({ used: 6, max: 15000 });
    expect(await sf.currency()).toBe('EUR');
    expect(sf.usage()).toEqual({ query: 2, getUserInfo: 1, queryMore: 2 });
  });

  it('starts the incremental cursor at the whole second the full pull began (stamps have no milliseconds)', async () => {
    const scope = nock(INSTANCE);
    mockSingleCurrency(scope);
    scope
      .get(`${V}/query`)
      .query(queryMatching(/FROM User ORDER BY Id$/))
      .reply(200, { totalSize: 1, done: true, records: [rec('User', { Id: 'U1', Name: 'Ann', IsActive: true })] }, limitHeader(4));
    const sf = makeConnector({}, () => Date.parse('2026-06-30T12:00:00.750Z'));
    const pages = await collect(sf.pull({ mode: 'full', cursors: {}, objects: ['users'] }));
    expect(pages.map((p) => p.cursor)).toEqual([{ phase: 'incremental', ts: STARTED, id: '', complete: true }]);
  });

  it('resumes an interrupted full pull after the last Id it saw', async () => {
    const scope = nock(INSTANCE);
    mockSingleCurrency(scope);
    scope
      .get(`${V}/query`)
      .query(queryMatching(/FROM User WHERE Id > '005Kf0000000004AAA' ORDER BY Id$/))
      .reply(200, { totalSize: 1, done: true, records: [rec('User', { Id: '005Kf0000000005AAA', Name: 'Ed', IsActive: true })] }, limitHeader(5));
    const sf = makeConnector();
    const pages = await collect(sf.pull({ mode: 'full', cursors: { users: { phase: 'full', afterId: '005Kf0000000004AAA', startedAt: '2026-06-30T11:00:00.000Z' } }, objects: ['users'] }));
    expect(pages).toHaveLength(1);
    expect(pages[0]?.cursor).toEqual({ phase: 'incremental', ts: '2026-06-30T11:00:00.000Z', id: '', complete: true });
  });

  it('maps accounts: an empty lookup is null, own KAM fields come back under kam_* names', async () => {
    const scope = nock(INSTANCE);
    mockSingleCurrency(scope);
    scope
      .get(`${V}/sobjects/Account/describe`)
      .reply(200, {
        fields: [
          { name: 'Id', type: 'id' },
          { name: 'Name', type: 'string', length: 255 },
          { name: 'Key_Account__c', type: 'boolean' },
          { name: 'KAM_Tier__c', type: 'picklist' },
          { name: 'KAM_Score__c', type: 'double', precision: 5, scale: 1 },
          { name: 'KAM_Key_Account__c', type: 'boolean' },
          { name: 'KAM_Updated_At__c', type: 'datetime' },
        ],
      }, limitHeader(3));
    let soql = '';
    scope
      .get(`${V}/query`)
      .query((q) => {
        soql = soqlOf(q);
        return /FROM Account ORDER BY Id$/.test(soql);
      })
      .reply(200, {
        totalSize: 2,
        done: true,
        records: [
          rec('Account', { Id: 'A1', Name: 'Acme', ParentId: null, Industry: 'Manufacturing', NumberOfEmployees: 1200, AnnualRevenue: 5e6, BillingCountry: 'DE', OwnerId: 'U1', Key_Account__c: true, KAM_Tier__c: 'Key', KAM_Score__c: 82.5, KAM_Key_Account__c: true, KAM_Updated_At__c: '2026-06-01T10:00:00.000+0000' }),
          rec('Account', { Id: 'A2', Name: 'Acme West', ParentId: 'A1', Industry: null, NumberOfEmployees: null, AnnualRevenue: null, BillingCountry: null, OwnerId: 'U1', Key_Account__c: false, KAM_Tier__c: null, KAM_Score__c: null, KAM_Key_Account__c: false, KAM_Updated_At__c: null }),
        ],
      }, limitHeader(5));

    const sf = makeConnector({ markedKeyField: 'Key_Account__c' });
    const [page] = await collect(sf.pull({ mode: 'full', cursors: {}, objects: ['accounts'] }));

    expect(soql).toBe(
      'SELECT Id, Name, ParentId, Industry, NumberOfEmployees, AnnualRevenue, BillingCountry, OwnerId, SystemModstamp, Key_Account__c, KAM_Tier__c, KAM_Key_Account__c, KAM_Score__c, KAM_Updated_At__c FROM Account ORDER BY Id',
    );
    expect(page?.records).toEqual([
      { id: 'A1', name: 'Acme', parentId: null, industry: 'Manufacturing', employees: 1200, annualRevenue: 5e6, country: 'DE', ownerId: 'U1', markedKey: true, fields: { kam_tier: 'Key', kam_key_account: true, kam_score: 82.5, kam_updated_at: '2026-06-01T10:00:00.000Z' }, extra: {} },
      { id: 'A2', name: 'Acme West', parentId: 'A1', industry: null, employees: null, annualRevenue: null, country: null, ownerId: 'U1', markedKey: false, fields: { kam_tier: null, kam_key_account: false, kam_score: null, kam_updated_at: null }, extra: {} },
    ]);
  });

  it('reads line items under their opportunity, following a child nextRecordsUrl; no children is null', async () => {
    const scope = nock(INSTANCE);
    mockSingleCurrency(scope);
    scope
      .get(`${V}/query`)
      .query(queryMatching(/^SELECT Id, \(SELECT Id, OpportunityId, Product2Id, Quantity, TotalPrice, SystemModstamp, Cost__c FROM OpportunityLineItems\) FROM Opportunity ORDER BY Id$/))
      .reply(200, {
        totalSize: 2,
        done: true,
        records: [
          rec('Opportunity', {
            Id: 'O1',
            OpportunityLineItems: {
              totalSize: 3,
              done: false,
              nextRecordsUrl: `${V}/query/01gL-2`,
              records: [
                rec('OpportunityLineItem', { Id: 'L1', OpportunityId: 'O1', Product2Id: 'P1', Quantity: 2, TotalPrice: 200, Cost__c: 120 }),
                rec('OpportunityLineItem', { Id: 'L2', OpportunityId: 'O1', Product2Id: 'P2', Quantity: 1, TotalPrice: 50, Cost__c: null }),
              ],
            },
          }),
          rec('Opportunity', { Id: 'O2', OpportunityLineItems: null }),
        ],
      }, limitHeader(4))
      .get(`${V}/query/01gL-2`)
      .reply(200, { totalSize: 3, done: true, records: [rec('OpportunityLineItem', { Id: 'L3', OpportunityId: 'O1', Product2Id: 'P3', Quantity: 5, TotalPrice: 500, Cost__c: 400 })] }, limitHeader(5));

    const sf = makeConnector({ costField: 'Cost__c' });
    const pages = await collect(sf.pull({ mode: 'full', cursors: {}, objects: ['lineItems'] }));
    expect(pages).toHaveLength(1);
    expect(pages[0]?.records).toEqual([
      { id: 'L1', opportunityId: 'O1', productId: 'P1', quantity: 2, totalPrice: 200, cost: 120 },
      { id: 'L2', opportunityId: 'O1', productId: 'P2', quantity: 1, totalPrice: 50, cost: null },
      { id: 'L3', opportunityId: 'O1', productId: 'P3', quantity: 5, totalPrice: 500, cost: 400 },
    ]);
    expect(pages[0]?.fullPullComplete).toBe(true);
  });

  it('reads amounts in their own currency and converts them with the CurrencyType rates (not convertCurrency)', async () => {
    const scope = nock(INSTANCE);
    mockNoDatedRates(scope);
    scope
      .get(`${V}/query`)
      .query(queryMatching(/FROM CurrencyType/))
      .reply(200, {
        totalSize: 2,
        done: true,
        records: [
          rec('CurrencyType', { Id: 'C1', IsoCode: 'USD', ConversionRate: 1, IsCorporate: true }),
          rec('CurrencyType', { Id: 'C2', IsoCode: 'EUR', ConversionRate: 0.8, IsCorporate: false }),
        ],
      }, limitHeader(1));
    scope
      .get(`${V}/query`)
      .query(queryMatching(/^SELECT Id, AccountId, Name, StageName, IsWon, IsClosed, Amount, CloseDate, OwnerId, SystemModstamp, CurrencyIsoCode FROM Opportunity ORDER BY Id$/))
      .reply(200, {
        totalSize: 3,
        done: true,
        records: [
          rec('Opportunity', { Id: 'O1', AccountId: 'A1', Name: 'Big deal', StageName: 'Closed Won', IsWon: true, IsClosed: true, Amount: 1000, CloseDate: '2026-03-31', OwnerId: 'U1', CurrencyIsoCode: 'EUR' }),
          rec('Opportunity', { Id: 'O2', AccountId: 'A1', Name: 'Lost', StageName: 'Closed Lost', IsWon: false, IsClosed: true, Amount: null, CloseDate: '2026-04-01', OwnerId: null, CurrencyIsoCode: 'USD' }),
          rec('Opportunity', { Id: 'O3', AccountId: null, Name: 'Orphan', StageName: 'Prospecting', IsWon: false, IsClosed: false, Amount: 10, CloseDate: '2026-09-01', OwnerId: 'U1', CurrencyIsoCode: 'USD' }),
        ],
      }, limitHeader(3));

    const sf = makeConnector();
    const [page] = await collect(sf.pull({ mode: 'full', cursors: {}, objects: ['opportunities'] }));
    expect(await sf.currency()).toBe('USD');
    // 1000 EUR at 0.8 EUR per USD is 1250 USD; the note keeps what the org holds.
    expect(page?.records).toEqual([
      {
        id: 'O1', accountId: 'A1', name: 'Big deal', status: 'won', amount: 1250, closeDate: '2026-03-31', ownerId: 'U1',
        conversion: { currency: 'EUR', amount: 1000, rate: 1.25, source: 'Salesforce CurrencyType' },
      },
      { id: 'O2', accountId: 'A1', name: 'Lost', status: 'lost', amount: null, closeDate: '2026-04-01', ownerId: null },
    ]);
    expect(page?.issues).toEqual([{ object: 'opportunities', recordId: 'O3', kind: 'unmappable', message: 'AccountId: the opportunity has no account' }]);
  });
});

describe('full pull over Bulk API 2.0', () => {
  it('runs a query job above the threshold and reads two locator pages', async () => {
    const scope = nock(INSTANCE);
    mockSingleCurrency(scope);
    scope
      .get(`${V}/query`)
      .query(queryMatching(/^SELECT Id, Name, IsActive, SystemModstamp, Family FROM Product2 ORDER BY Id$/))
      .reply(200, { totalSize: 3, done: false, nextRecordsUrl: `${V}/query/01gP-2`, records: [rec('Product2', { Id: 'P1', Name: 'Widget', IsActive: true, Family: 'Hardware' })] }, limitHeader(3));
    let jobBody: unknown = null;
    scope
      .post(`${V}/jobs/query`, (b: unknown) => {
        jobBody = b;
        return true;
      })
      .reply(200, { id: '750Q1', operation: 'query', object: 'Product2', state: 'UploadComplete', contentType: 'CSV', apiVersion: 62.0 }, limitHeader(4))
      .get(`${V}/jobs/query/750Q1`)
      .reply(200, { id: '750Q1', state: 'InProgress' }, limitHeader(5))
      .get(`${V}/jobs/query/750Q1`)
      .reply(200, { id: '750Q1', state: 'JobComplete' }, limitHeader(6))
      .get(`${V}/jobs/query/750Q1/results`)
      .query({ maxRecords: '2' })
      .reply(200, 'Id,Name,IsActive,SystemModstamp,Family\nP1,Widget,true,2026-01-01T00:00:00.000Z,Hardware\nP2,"Service, premium",false,2026-01-01T00:00:00.000Z,\n', {
        'Content-Type': 'text/csv',
        'Sforce-Locator': 'MjAwMDA',
        'Sforce-NumberOfRecords': '2',
        'Sforce-Limit-Info': 'api-usage=7/15000',
      })
      .get(`${V}/jobs/query/750Q1/results`)
      .query({ maxRecords: '2', locator: 'MjAwMDA' })
      .reply(200, 'Id,Name,IsActive,SystemModstamp,Family\nP3,Gadget,true,2026-01-02T00:00:00.000Z,Hardware\n', {
        'Content-Type': 'text/csv',
        'Sforce-Locator': 'null',
        'Sforce-NumberOfRecords': '1',
        'Sforce-Limit-Info': 'api-usage=8/15000',
      });

    const sf = makeConnector({ bulkReadThreshold: 2, bulkPageSize: 2 });
    const pages = await collect(sf.pull({ mode: 'full', cursors: {}, objects: ['products'] }));

    expect(jobBody).toMatchObject({ operation: 'query', query: 'SELECT Id, Name, IsActive, SystemModstamp, Family FROM Product2' });
    expect(pages.map((p) => p.records)).toEqual([
      [
        { id: 'P1', name: 'Widget', family: 'Hardware', active: true },
        { id: 'P2', name: 'Service, premium', family: null, active: false },
      ],
      [{ id: 'P3', name: 'Gadget', family: 'Hardware', active: true }],
    ]);
    expect(pages[0]?.cursor).toEqual({ phase: 'bulk', jobId: '750Q1', locator: 'MjAwMDA', startedAt: STARTED });
    expect(pages[1]?.cursor).toEqual({ phase: 'incremental', ts: STARTED, id: '', complete: true });
    expect(pages[1]?.fullPullComplete).toBe(true);
    expect(sf.usage()).toEqual({ query: 1, bulkQuery: 1, bulkQueryStatus: 2, bulkQueryResults: 2 });
  });

  it('resumes from a saved locator, and starts over when the job is gone', async () => {
    const scope = nock(INSTANCE);
    mockSingleCurrency(scope);
    scope
      .get(`${V}/jobs/query/750Q1/results`)
      .query({ maxRecords: '50000', locator: 'MjAwMDA' })
      .reply(200, 'Id,Name,IsActive,SystemModstamp,Family\nP3,Gadget,true,2026-01-02T00:00:00.000Z,Hardware\n', { 'Content-Type': 'text/csv', 'Sforce-Locator': 'null' })
      .get(`${V}/jobs/query/750OLD/results`)
      .query(true)
      .reply(404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }])
      .get(`${V}/query`)
      .query(queryMatching(/FROM Product2 ORDER BY Id$/))
      .reply(200, { totalSize: 0, done: true, records: [] }, limitHeader(4));
    const sf = makeConnector();
    const resumed = await collect(sf.pull({ mode: 'full', cursors: { products: { phase: 'bulk', jobId: '750Q1', locator: 'MjAwMDA', startedAt: STARTED } }, objects: ['products'] }));
    expect(resumed.map((p) => p.records.map((r) => r.id))).toEqual([['P3']]);
    expect(resumed[0]?.fullPullComplete).toBe(true);
    const restarted = await collect(sf.pull({ mode: 'full', cursors: { products: { phase: 'bulk', jobId: '750OLD', locator: 'x', startedAt: STARTED } }, objects: ['products'] }));
    expect(restarted).toHaveLength(1);
    expect(restarted[0]?.records).toEqual([]);
    expect(restarted[0]?.fullPullComplete).toBe(true);
  });

  it('converts amounts with the org rates in a multi-currency org, Bulk API 2.0 as REST', async () => {
    const scope = nock(INSTANCE);
    mockNoDatedRates(scope);
    scope
      .get(`${V}/query`)
      .query(queryMatching(/FROM CurrencyType/))
      .reply(200, { totalSize: 2, done: true, records: [{ IsoCode: 'USD', ConversionRate: 1, IsCorporate: true }, { IsoCode: 'EUR', ConversionRate: 0.8, IsCorporate: false }] }, limitHeader(1))
      .get(`${V}/query`)
      .query(queryMatching(/^SELECT Id, AccountId, Name, StageName, IsWon, IsClosed, Amount, CloseDate, OwnerId, SystemModstamp, CurrencyIsoCode FROM Opportunity ORDER BY Id$/))
      .reply(200, { totalSize: 5, done: false, nextRecordsUrl: `${V}/query/01gO-1`, records: [] }, limitHeader(2))
      .post(`${V}/jobs/query`, (b: { query: string }) => b.query === 'SELECT Id, AccountId, Name, StageName, IsWon, IsClosed, Amount, CloseDate, OwnerId, SystemModstamp, CurrencyIsoCode FROM Opportunity')
      .reply(200, { id: '750Q2', state: 'UploadComplete' }, limitHeader(3))
      .get(`${V}/jobs/query/750Q2`)
      .reply(200, { id: '750Q2', state: 'JobComplete' }, limitHeader(4))
      .get(`${V}/jobs/query/750Q2/results`)
      .query(true)
      .reply(200, 'Id,AccountId,Name,StageName,IsWon,IsClosed,Amount,CloseDate,OwnerId,SystemModstamp,CurrencyIsoCode\nO1,A1,Euro deal,Closed Won,true,true,800,2026-03-31,U1,2026-04-01T00:00:00.000Z,EUR\nO2,A1,Dollar deal,Prospecting,false,false,250,2026-08-31,,2026-04-01T00:00:00.000Z,USD\n', { 'Content-Type': 'text/csv', 'Sforce-Locator': 'null' });
    const sf = makeConnector({ bulkReadThreshold: 1 });
    const pages = await collect(sf.pull({ mode: 'full', cursors: {}, objects: ['opportunities'] }));
    expect(pages.flatMap((p) => p.records)).toEqual([
      {
        id: 'O1', accountId: 'A1', name: 'Euro deal', status: 'won', amount: 1000, closeDate: '2026-03-31', ownerId: 'U1',
        conversion: { currency: 'EUR', amount: 800, rate: 1.25, source: 'Salesforce CurrencyType' },
      },
      { id: 'O2', accountId: 'A1', name: 'Dollar deal', status: 'open', amount: 250, closeDate: '2026-08-31', ownerId: null },
    ]);
  });
});
