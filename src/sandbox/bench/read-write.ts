/**
 * Measures the simulator under a 50,000-account org per CRM: seeding, a full Salesforce pull
 * through jsforce (query + queryMore), a full HubSpot company list through the SDK, a HubSpot
 * parent-association read, and 1,000 write-backs on each side.
 *
 *   node --import tsx src/sandbox/bench/read-write.ts [accounts] [latencyMs]
 */
import { Client } from '@hubspot/api-client';
import jsforce from 'jsforce';
import type { Snapshot } from '../../model/snapshot.ts';
import { startSandbox } from '../index.ts';

function syntheticOrg(n: number): Snapshot {
  const accounts = Array.from({ length: n }, (_, i) => ({
    id: `a${i}`, name: `Account ${i}`, parentId: i % 10 === 0 ? null : `a${i - (i % 10)}`, industry: ['Retail', 'Energy', 'Finance'][i % 3] ?? null,
    employees: (i * 37) % 9000, annualRevenue: null, country: 'US', ownerId: null, markedKey: null, fields: {}, extra: {},
  }));
  const contacts = Array.from({ length: n * 2 }, (_, i) => ({ id: `c${i}`, accountId: `a${i % n}`, name: `Person ${i}`, email: null, title: null, active: true, referenceable: i % 7 === 0 }));
  const products = [{ id: 'p1', name: 'Widget', family: 'Hardware', active: true }, { id: 'p2', name: 'Support', family: 'Services', active: true }];
  const opportunities = Array.from({ length: n }, (_, i) => ({
    id: `o${i}`, accountId: `a${i}`, name: `Deal ${i}`, status: (['won', 'lost', 'open'] as const)[i % 3] ?? 'open', amount: 1000 + i, closeDate: '2026-03-01', ownerId: null,
    lineItems: [{ id: `l${i}`, productId: i % 2 === 0 ? 'p1' : 'p2', quantity: 1, totalPrice: 1000 + i, cost: null }],
  }));
  return { version: 1, source: 'file', currency: 'USD', users: [], products, accounts, contacts, opportunities };
}

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await fn();
  console.log(`${label.padEnd(44)} ${(performance.now() - t0).toFixed(0).padStart(7)} ms`);
  return out;
}

const n = Number(process.argv[2] ?? 50_000);
const latencyMs = Number(process.argv[3] ?? 0);
const seed = syntheticOrg(n);
const sb = await timed(`seed ${n} accounts into both CRMs`, () => startSandbox({ seed, latencyMs, provisioned: true, hubspotLimits: { searchPerSecond: null } }));
try {
  const conn = new jsforce.Connection({ instanceUrl: sb.salesforce.instanceUrl, accessToken: sb.salesforce.accessToken, version: '62.0' });
  const sfCount = await timed('salesforce: pull accounts (query+queryMore)', async () => {
    let res = await conn.query('SELECT Id, Name, ParentId, Industry, NumberOfEmployees, SystemModstamp FROM Account ORDER BY SystemModstamp, Id');
    let count = res.records.length;
    while (!res.done && res.nextRecordsUrl) {
      res = await conn.queryMore(res.nextRecordsUrl);
      count += res.records.length;
    }
    return count;
  });
  await timed('salesforce: opportunities with line items', async () => {
    let res = await conn.query('SELECT Id, Amount, (SELECT TotalPrice FROM OpportunityLineItems) FROM Opportunity');
    while (!res.done && res.nextRecordsUrl) res = await conn.queryMore(res.nextRecordsUrl);
  });
  const ids = Object.values(sb.ids.salesforce.accounts).slice(0, 1000);
  await timed('salesforce: 1,000 updates (5 x 200 collections)', async () => {
    for (let i = 0; i < ids.length; i += 200) {
      await conn.sobject('Account').update(ids.slice(i, i + 200).map((Id) => ({ Id, KAM_Tier__c: 'Standard', KAM_Score__c: 12.5 })));
    }
  });

  const client = new Client({ accessToken: sb.hubspot.privateAppToken, basePath: sb.hubspot.baseUrl });
  const hsCount = await timed('hubspot: list companies (limit 100)', async () => {
    let after: string | undefined;
    let count = 0;
    do {
      const page = await client.crm.companies.basicApi.getPage(100, after, ['name', 'industry', 'numberofemployees']);
      count += page.results.length;
      after = page.paging?.next?.after;
    } while (after);
    return count;
  });
  const hsIds = Object.values(sb.ids.hubspot.accounts);
  await timed('hubspot: parent associations (batches of 1,000)', async () => {
    for (let i = 0; i < hsIds.length; i += 1000) {
      await client.crm.associations.v4.batchApi.getPage('companies', 'companies', { inputs: hsIds.slice(i, i + 1000).map((id) => ({ id })) });
    }
  });
  await timed('hubspot: 1,000 updates (10 x 100 batch)', async () => {
    for (let i = 0; i < 1000; i += 100) {
      await client.crm.companies.batchApi.update({ inputs: hsIds.slice(i, i + 100).map((id) => ({ id, properties: { kam_tier: 'Standard' } })) });
    }
  });
  console.log(`records: salesforce ${sfCount}, hubspot ${hsCount}`);
  console.log(JSON.stringify(sb.calls()));
} finally {
  await sb.close();
}
