import { Client } from '@hubspot/api-client';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/companies/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../../src/sandbox/index.ts';
import { manyAccounts, smallSnapshot } from './fixture.ts';

let sb: Sandbox | undefined;

async function start(options: SandboxOptions): Promise<{ sb: Sandbox; client: Client }> {
  sb = await startSandbox(options);
  return { sb, client: new Client({ accessToken: sb.hubspot.privateAppToken, basePath: sb.hubspot.baseUrl }) };
}

afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

interface ApiError {
  code: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

async function apiError(p: PromiseLike<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('expected the call to fail');
}

describe('HubSpot reads through @hubspot/api-client', () => {
  it('pages companies with after and leaves paging off the last page', async () => {
    const { sb: s, client } = await start({ seed: smallSnapshot() });
    const first = await client.crm.companies.basicApi.getPage(2, undefined, ['name', 'industry', 'numberofemployees']);
    expect(first.results.map((c) => c.properties)).toEqual([
      expect.objectContaining({ name: 'Acme Holding', industry: 'Manufacturing', numberofemployees: '5000', hs_object_id: s.ids.hubspot.accounts['a1'] }),
      expect.objectContaining({ name: 'Acme West', industry: 'Manufacturing', numberofemployees: '800' }),
    ]);
    expect(first.paging?.next?.after).toBe(s.ids.hubspot.accounts['a3']);
    const all = await client.crm.companies.getAll(100, undefined, ['name']);
    // 5 live companies; the orphan's missing parent is an archived placeholder
    expect(all.map((c) => c.properties['name'])).toEqual(['Acme Holding', 'Acme West', "Acme West Lab's", 'Globex', 'Orphan Co']);
    const last = await client.crm.companies.basicApi.getPage(100, undefined, ['name']);
    expect(last.paging).toBeUndefined();
    const archived = await client.crm.companies.basicApi.getPage(10, undefined, ['name'], undefined, undefined, true);
    expect(archived.results.map((c) => [c.properties['name'], c.archived])).toEqual([['Unknown parent gone', true]]);
    expect(first.results[0]?.updatedAt).toBeInstanceOf(Date);
  });

  it('accepts comma-separated properties and returns unset ones as null', async () => {
    const { sb: s } = await start({ seed: smallSnapshot() });
    const res = await fetch(`${s.hubspot.baseUrl}/crm/v3/objects/deals?limit=10&properties=dealname,amount,dealstage`, { headers: { authorization: `Bearer ${s.hubspot.privateAppToken}` } });
    const body = (await res.json()) as { results: { properties: Record<string, string | null> }[] };
    expect(body.results.map((d) => [d.properties['dealname'], d.properties['amount'], d.properties['dealstage']])).toEqual([
      ['Acme 2026', '1000', 'closedwon'],
      ['West expansion', '500', 'closedlost'],
      ['Globex pilot', null, 'qualifiedtobuy'],
    ]);
    expect(res.headers.get('x-hubspot-ratelimit-max')).toBe('190');
    expect(res.headers.get('x-hubspot-ratelimit-daily')).toBe('500000');
    expect(Number(res.headers.get('x-hubspot-ratelimit-daily-remaining'))).toBe(499999);
  });

  it('batch-reads companies and reports missing ids in a 207', async () => {
    const { sb: s, client } = await start({ seed: smallSnapshot() });
    const ok = await client.crm.companies.batchApi.read({ inputs: [{ id: s.ids.hubspot.accounts['a4'] as string }], properties: ['name', 'country'], propertiesWithHistory: [] });
    expect(ok.results.map((c) => [c.properties['name'], c.properties['country']])).toEqual([['Globex', 'DE']]);
    const res = await fetch(`${s.hubspot.baseUrl}/crm/v3/objects/companies/batch/read`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.hubspot.privateAppToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ id: s.ids.hubspot.accounts['a1'] }, { id: '999999' }], properties: ['name'] }),
    });
    expect(res.status).toBe(207);
    const body = (await res.json()) as { results: unknown[]; numErrors: number; errors: { category: string; context: { ids: string[] } }[] };
    expect(body.results).toHaveLength(1);
    expect(body.errors).toEqual([expect.objectContaining({ category: 'OBJECT_NOT_FOUND', context: { ids: ['999999'] } })]);
  });

  it('reads v4 associations with parent/child type ids and labels', async () => {
    const { sb: s, client } = await start({ seed: smallSnapshot() });
    const h = s.ids.hubspot;
    const companies = await client.crm.associations.v4.batchApi.getPage('companies', 'companies', {
      inputs: [{ id: h.accounts['a2'] as string }, { id: h.accounts['a4'] as string }],
    });
    expect(companies.results.map((r) => [r._from.id, r.to.map((t) => [String(t.toObjectId), t.associationTypes.map((a) => [a.typeId, a.label])])])).toEqual([
      [h.accounts['a2'], [
        [h.accounts['a1'], [[14, 'Parent Company']]],
        [h.accounts['a3'], [[13, 'Child Company']]],
      ]],
    ]);
    expect((companies as unknown as { errors: { subCategory: string }[] }).errors.map((e) => e.subCategory)).toEqual(['crm.associations.NO_ASSOCIATIONS_FOUND']);
    const contacts = await client.crm.associations.v4.batchApi.getPage('contacts', 'companies', { inputs: [{ id: h.contacts['c2'] as string }] });
    expect(contacts.results[0]?.to).toEqual([{ toObjectId: Number(h.accounts['a2']), associationTypes: [
      { category: 'HUBSPOT_DEFINED', typeId: 1, label: 'Primary' }, { category: 'HUBSPOT_DEFINED', typeId: 279, label: null },
    ] }]);
    const deals = await client.crm.associations.v4.batchApi.getPage('deals', 'line_items', { inputs: [{ id: h.opportunities['o1'] as string }] });
    expect(deals.results[0]?.to.map((t) => [String(t.toObjectId), t.associationTypes[0]?.typeId])).toEqual([[h.lineItems['li1'], 19], [h.lineItems['li2'], 19]]);
    const dealCompany = await client.crm.associations.v4.batchApi.getPage('deals', 'companies', { inputs: [{ id: h.opportunities['o3'] as string }] });
    expect(dealCompany.results[0]?.to[0]?.associationTypes.map((a) => a.typeId)).toEqual([5, 341]);
  });

  it('moves a company to another parent without moving any modified date', async () => {
    const { sb: s, client } = await start({ seed: smallSnapshot() });
    const h = s.ids.hubspot.accounts;
    const [a1, a2, a4] = [h['a1'], h['a2'], h['a4']] as [string, string, string];
    const stamps = () => [a1, a2, a4].map((id) => s.hs.object('companies', id)?.properties['hs_lastmodifieddate']);
    const before = stamps();
    s.hs.dissociate('parent-child', a1, a2);
    s.hs.associate('parent-child', a4, a2);
    const read = await client.crm.associations.v4.batchApi.getPage('companies', 'companies', { inputs: [{ id: a2 }] });
    expect(read.results[0]?.to.filter((t) => t.associationTypes.some((a) => a.typeId === 14)).map((t) => String(t.toObjectId))).toEqual([a4]);
    const parentSide = await client.crm.associations.v4.batchApi.getPage('companies', 'companies', { inputs: [{ id: a1 }] });
    expect(parentSide.results).toEqual([]);
    expect(s.hs.object('companies', a2)?.properties['hs_parent_company_id']).toBe(a4);
    expect(stamps()).toEqual(before);
    expect(() => s.hs.dissociate('parent-child', a1, a2)).toThrow(/no parent-child association/);
  });

  it('serves the deal pipeline with stage metadata and the owners', async () => {
    const { client } = await start({ seed: smallSnapshot() });
    const pipelines = await client.crm.pipelines.pipelinesApi.getAll('deals');
    const stages = pipelines.results[0]?.stages.map((st) => [st.id, st.metadata?.['isClosed'], st.metadata?.['probability']]);
    expect(stages).toContainEqual(['closedwon', 'true', '1.0']);
    expect(stages).toContainEqual(['closedlost', 'true', '0.0']);
    const owners = await client.crm.owners.ownersApi.getPage(undefined, undefined, 100, false);
    expect(owners.results.map((o) => [o.firstName, o.lastName, o.email])).toEqual([['Alice', 'Smith', 'alice.smith@sandbox.invalid']]);
    const gone = await client.crm.owners.ownersApi.getPage(undefined, undefined, 100, true);
    expect(gone.results.map((o) => o.lastName)).toEqual(['Jones']);
  });

  it('serves the account details with the seed currency as the company currency', async () => {
    const { sb: s, client } = await start({ seed: { ...smallSnapshot(), currency: 'EUR' } });
    const res = await client.apiRequest({ method: 'GET', path: '/account-info/v3/details' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ companyCurrency: 'EUR', additionalCurrencies: [], portalId: expect.any(Number), timeZone: expect.any(String) });
    expect(s.calls()['hubspot.accountInfo']).toBe(1);
    const anonymous = await fetch(`${s.hubspot.baseUrl}/account-info/v3/details`);
    expect(anonymous.status).toBe(401);
  });
});

describe('HubSpot search', () => {
  it('filters, sorts, pages, and stops at the 10,000-result cap', async () => {
    const { sb: s, client } = await start({ seed: manyAccounts(10_050), hubspotLimits: { searchPerSecond: null } });
    const retail = await client.crm.companies.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'industry', operator: FilterOperatorEnum.Eq, value: 'retail' }, { propertyName: 'numberofemployees', operator: FilterOperatorEnum.Lt, value: '10' }] }],
      sorts: ['-numberofemployees'],
      properties: ['name', 'numberofemployees'],
      limit: 3,
      after: '0',
    });
    expect(retail.total).toBe(5);
    expect(retail.results.map((r) => r.properties['numberofemployees'])).toEqual(['8', '6', '4']);
    expect(retail.paging?.next?.after).toBe('3');

    const nearCap = await client.crm.companies.searchApi.doSearch({ filterGroups: [], sorts: [], properties: ['name'], limit: 100, after: '9900' });
    expect(nearCap.total).toBe(10_050);
    expect(nearCap.results).toHaveLength(100);
    expect(nearCap.paging?.next?.after).toBe('10000');
    const past = await apiError(client.crm.companies.searchApi.doSearch({ filterGroups: [], sorts: [], properties: ['name'], limit: 100, after: '10000' }));
    expect(past.code).toBe(400);
    expect(past.body['category']).toBe('VALIDATION_ERROR');

    // The documented way past the cap: sort by modified date and restart with GT the last value.
    const seen = new Set<string>();
    let lastModified = '0';
    for (;;) {
      const page = await client.crm.companies.searchApi.doSearch({
        filterGroups: [{ filters: [{ propertyName: 'hs_lastmodifieddate', operator: FilterOperatorEnum.Gt, value: lastModified }] }],
        sorts: ['hs_lastmodifieddate'],
        properties: ['name'],
        limit: 200,
        after: '0',
      });
      for (const r of page.results) seen.add(r.id);
      if (page.results.length < 200) break;
      lastModified = String(Date.parse(page.results[page.results.length - 1]?.properties['hs_lastmodifieddate'] as string));
    }
    expect(seen.size).toBe(10_050);
    expect(s.calls()['hubspot.search']).toBe(3 + 51);
  });

  it('answers past its per-second limit with the secondly 429, without rate-limit headers', async () => {
    const { client } = await start({ seed: smallSnapshot(), hubspotLimits: { searchPerSecond: 2 } });
    const search = () => client.crm.companies.searchApi.doSearch({ filterGroups: [], sorts: [], properties: ['name'], limit: 1, after: '0' });
    // Three at once: two fit in the second, the third is refused.
    const outcomes = await Promise.allSettled([search(), search(), search()]);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason as ApiError);
    expect(refused).toHaveLength(1);
    expect(refused[0]?.code).toBe(429);
    expect(refused[0]?.body).toMatchObject({ status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT' });
    expect(refused[0]?.headers['x-hubspot-ratelimit-max']).toBeUndefined();
  });

  it('injects the secondly 429 on search under a rate-limit fault', async () => {
    const { client } = await start({ seed: smallSnapshot(), faults: { hubspot: { rate429: 1 } } });
    const e = await apiError(client.crm.companies.searchApi.doSearch({ filterGroups: [], sorts: [], properties: ['name'], limit: 1, after: '0' }));
    expect(e.code).toBe(429);
    expect(e.body['message']).toBe('You have reached your secondly limit.');
  });
});

describe('HubSpot writes and provisioning', () => {
  it('creates the kamflow group and properties, which then appear in reads and take writes', async () => {
    const { sb: s, client } = await start({ seed: smallSnapshot() });
    const group = await client.crm.properties.groupsApi.create('companies', { name: 'kamflow', label: 'Kamflow', displayOrder: 0 });
    expect(group.name).toBe('kamflow');
    expect((await apiError(client.crm.properties.groupsApi.create('companies', { name: 'kamflow', label: 'Kamflow' }))).code).toBe(409);
    const created = await client.crm.properties.coreApi.create('companies', {
      name: 'kam_tier', label: 'KAM Tier', type: 'enumeration' as never, fieldType: 'select' as never, groupName: 'kamflow',
      options: [{ label: 'Key', value: 'Key', hidden: false }, { label: 'Standard', value: 'Standard', hidden: false }],
    });
    expect(created).toMatchObject({ name: 'kam_tier', type: 'enumeration', groupName: 'kamflow' });
    await client.crm.properties.coreApi.create('companies', { name: 'kam_score', label: 'KAM Score', type: 'number' as never, fieldType: 'number' as never, groupName: 'kamflow' });
    const dup = await apiError(client.crm.properties.coreApi.create('companies', { name: 'kam_score', label: 'x', type: 'number' as never, fieldType: 'number' as never, groupName: 'kamflow' }));
    expect(dup.code).toBe(409);
    const badPair = await apiError(client.crm.properties.coreApi.create('companies', { name: 'kam_x', label: 'x', type: 'number' as never, fieldType: 'text' as never, groupName: 'kamflow' }));
    expect(badPair.code).toBe(400);

    const a1 = s.ids.hubspot.accounts['a1'] as string;
    const before = s.hs.object('companies', a1)?.properties['hs_lastmodifieddate'];
    const updated = await client.crm.companies.batchApi.update({ inputs: [{ id: a1, properties: { kam_tier: 'Key', kam_score: '81.30' } }] });
    expect(updated.results[0]?.properties).toMatchObject({ kam_tier: 'Key', kam_score: '81.3' });
    const after = s.hs.object('companies', a1)?.properties['hs_lastmodifieddate'];
    expect(String(after) > String(before)).toBe(true);
    const read = await client.crm.companies.basicApi.getById(a1, ['kam_tier', 'kam_score']);
    expect(read.properties).toMatchObject({ kam_tier: 'Key', kam_score: '81.3' });
  });

  it('answers a batch update with 207 for missing ids, 400 for bad properties and 423 for locked records', async () => {
    const { sb: s, client } = await start({ seed: smallSnapshot(), provisioned: true });
    const a1 = s.ids.hubspot.accounts['a1'] as string;
    const a4 = s.ids.hubspot.accounts['a4'] as string;
    const multi = await client.crm.companies.batchApi.update({ inputs: [{ id: a1, properties: { kam_risks: 'declining' } }, { id: '424242', properties: { kam_risks: 'x' } }] });
    expect(multi.results.map((r) => r.id)).toEqual([a1]);
    expect((multi as unknown as { errors: { category: string; context: { ids: string[] } }[] }).errors).toEqual([
      expect.objectContaining({ category: 'OBJECT_NOT_FOUND', context: { ids: ['424242'] } }),
    ]);
    expect(s.hs.object('companies', a1)?.properties['kam_risks']).toBe('declining');

    const badOption = await apiError(client.crm.companies.batchApi.update({ inputs: [{ id: a1, properties: { kam_tier: 'Platinum' } }] }));
    expect(badOption.code).toBe(400);
    expect(badOption.body['category']).toBe('VALIDATION_ERROR');
    const readOnly = await apiError(client.crm.companies.batchApi.update({ inputs: [{ id: a1, properties: { hs_object_id: '1' } }] }));
    expect(readOnly.code).toBe(400);
    const tooMany = await apiError(client.crm.companies.batchApi.update({ inputs: Array.from({ length: 101 }, (_, i) => ({ id: String(i), properties: {} })) }));
    expect(tooMany.code).toBe(400);

    s.setFaults({ hubspot: { lockedRecords: [a4] } });
    const locked = await apiError(client.crm.companies.batchApi.update({ inputs: [{ id: a4, properties: { kam_risks: 'x' } }] }));
    expect(locked.code).toBe(423);
    expect(s.hs.object('companies', a4)?.properties['kam_risks']).toBeUndefined();
  });

  it('gives 429 TEN_SECONDLY_ROLLING and DAILY bodies', async () => {
    const { sb: s, client } = await start({ seed: smallSnapshot(), faults: { hubspot: { rate429: 1 } } });
    const ten = await apiError(client.crm.companies.basicApi.getPage(10));
    expect(ten.code).toBe(429);
    expect(ten.body).toMatchObject({ status: 'error', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' });
    s.setFaults({ hubspot: { dailyLimitAfter: 1 } });
    await client.crm.companies.basicApi.getPage(10);
    const daily = await apiError(client.crm.companies.basicApi.getPage(10));
    expect(daily.code).toBe(429);
    expect(daily.body).toMatchObject({ message: 'You have reached your daily limit.', policyName: 'DAILY' });
  });

  it('a new day after a daily-limit fault brings back the whole configured allowance', async () => {
    const { sb: s, client } = await start({ seed: smallSnapshot(), dailyLimit: { hubspot: 40 } });
    await client.crm.companies.basicApi.getPage(10);
    s.setFaults({ hubspot: { dailyLimitAfter: 1 } });
    await client.crm.companies.basicApi.getPage(10);
    expect(s.hs.apiUsage()).toEqual({ used: 2, max: 2 });
    expect((await apiError(client.crm.companies.basicApi.getPage(10))).code).toBe(429);
    s.resetDailyUsage();
    expect(s.hs.apiUsage()).toEqual({ used: 0, max: 40 });
    await client.crm.companies.basicApi.getPage(10);
    await client.crm.companies.basicApi.getPage(10);
    expect(s.hs.apiUsage()).toEqual({ used: 2, max: 40 });
    s.hs.setDailyLimit(3);
    s.resetDailyUsage();
    expect(s.hs.apiUsage()).toEqual({ used: 0, max: 3 });
  });

  it('enforces the ten-second window when asked to', async () => {
    const { sb: s, client } = await start({ seed: smallSnapshot(), hubspotLimits: { tenSecondly: 3, enforceTenSecondly: true } });
    for (let i = 0; i < 3; i++) await client.crm.companies.basicApi.getPage(1);
    const e = await apiError(client.crm.companies.basicApi.getPage(1));
    expect(e.code).toBe(429);
    expect(e.body['policyName']).toBe('TEN_SECONDLY_ROLLING');
    expect([e.body['status'], e.body['errorType'], e.body['category']]).toEqual(['error', 'RATE_LIMIT', 'RATE_LIMITS']);
    const headers = e.headers;
    expect([headers['x-hubspot-ratelimit-max'], headers['x-hubspot-ratelimit-remaining'], headers['x-hubspot-ratelimit-interval-milliseconds']]).toEqual(['3', '0', '10000']);
    // Search has its own per-second limit: the full ten-second window does not stop it.
    await client.crm.companies.searchApi.doSearch({ filterGroups: [], limit: 1 } as never);
    expect(s.rateLimited()).toEqual({ 'hubspot.TEN_SECONDLY_ROLLING': 1 });
    s.resetCalls();
    expect(s.rateLimited()).toEqual({});
  });
});

describe('HubSpot OAuth', () => {
  it('exchanges a code and refreshes, and answers an expired token with 401', async () => {
    const { sb: s } = await start({ seed: smallSnapshot() });
    const redirect = 'http://127.0.0.1:1/hs-callback';
    const auth = await fetch(`${s.hubspot.authorizeHost}/oauth/authorize?client_id=${s.hubspot.clientId}&redirect_uri=${encodeURIComponent(redirect)}&scope=oauth&state=s1`, { redirect: 'manual' });
    const back = new URL(auth.headers.get('location') as string);
    expect(back.searchParams.get('state')).toBe('s1');
    const oauthClient = new Client({ basePath: s.hubspot.baseUrl });
    const tokens = await oauthClient.oauth.tokensApi.create('authorization_code', back.searchParams.get('code') as string, redirect, s.hubspot.clientId, s.hubspot.clientSecret);
    expect(tokens.expiresIn).toBe(1800);
    const client = new Client({ accessToken: tokens.accessToken, basePath: s.hubspot.baseUrl });
    expect((await client.crm.companies.basicApi.getPage(1)).results).toHaveLength(1);

    s.setFaults({ hubspot: { expireTokens: 1 } });
    const expired = await apiError(client.crm.companies.basicApi.getPage(1));
    expect(expired.code).toBe(401);
    expect(expired.body['category']).toBe('EXPIRED_AUTHENTICATION');
    s.setFaults({ hubspot: { expireTokens: 5 } });
    const refreshed = await oauthClient.oauth.tokensApi.create('refresh_token', undefined, undefined, s.hubspot.clientId, s.hubspot.clientSecret, tokens.refreshToken);
    const fresh = new Client({ accessToken: refreshed.accessToken, basePath: s.hubspot.baseUrl });
    expect((await fresh.crm.companies.basicApi.getPage(1)).results).toHaveLength(1);
    const bad = await apiError(oauthClient.oauth.tokensApi.create('refresh_token', undefined, undefined, s.hubspot.clientId, s.hubspot.clientSecret, 'nope'));
    expect(bad.code).toBe(400);
  });
});
