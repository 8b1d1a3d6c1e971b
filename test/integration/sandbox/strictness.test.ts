import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.ts';
import { smallSnapshot } from './fixture.ts';

/**
 * The documented answers and caps the connectors rely on, refused past them as the services do:
 * OAuth token answers and errors, HubSpot's list, search, batch and association limits,
 * Salesforce's collection size, SOQL and URI length, and Bulk API 2.0 job states.
 */

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

async function started(): Promise<Sandbox> {
  sb = await startSandbox({ seed: smallSnapshot() });
  return sb;
}

const form = (values: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(values).toString(),
});

async function call(s: Sandbox, path: string, init: RequestInit & { token?: string } = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${s.url}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${init.token ?? s.hubspot.privateAppToken}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (CSV, plain text): kept as text.
  }
  return { status: res.status, body };
}

describe('OAuth token answers as documented', () => {
  it('HubSpot: a refresh answers the AccessTokenResponse fields, token_use included; an error has category and correlationId', async () => {
    const s = await started();
    const ok = await fetch(`${s.url}/oauth/v1/token`, form({ grant_type: 'refresh_token', refresh_token: s.hubspot.refreshToken, client_id: s.hubspot.clientId, client_secret: s.hubspot.clientSecret }));
    const body = (await ok.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'hub_id', 'refresh_token', 'scopes', 'token_type', 'token_use', 'user_id']);
    expect(body).toMatchObject({ token_type: 'bearer', token_use: 'access_token', expires_in: 1800, refresh_token: s.hubspot.refreshToken });
    const bad = await fetch(`${s.url}/oauth/v1/token`, form({ grant_type: 'refresh_token', refresh_token: 'nope', client_id: s.hubspot.clientId, client_secret: s.hubspot.clientSecret }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ status: 'BAD_REFRESH_TOKEN', category: 'BAD_REFRESH_TOKEN', message: 'missing or unknown refresh token', correlationId: expect.any(String) });
  });

  it('Salesforce: the token answer has the documented fields (no expires_in), a refresh no new refresh token, an error error/error_description', async () => {
    const s = await started();
    const res = await fetch(`${s.url}/services/oauth2/token`, form({ grant_type: 'refresh_token', refresh_token: s.salesforce.refreshToken, client_id: s.salesforce.clientId, client_secret: s.salesforce.clientSecret }));
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['access_token', 'id', 'instance_url', 'issued_at', 'scope', 'signature', 'token_type']);
    expect(body['token_type']).toBe('Bearer');
    const bad = await fetch(`${s.url}/services/oauth2/token`, form({ grant_type: 'refresh_token', refresh_token: 'nope', client_id: s.salesforce.clientId, client_secret: s.salesforce.clientSecret }));
    expect(await bad.json()).toEqual({ error: 'invalid_grant', error_description: 'expired access/refresh token' });
  });
});

describe('HubSpot caps', () => {
  it('lists take at most 100 a page', async () => {
    const s = await started();
    expect((await call(s, '/crm/v3/objects/companies?limit=100')).status).toBe(200);
    const over = await call(s, '/crm/v3/objects/companies?limit=101');
    expect(over.status).toBe(400);
    expect(over.body).toMatchObject({ category: 'VALIDATION_ERROR', message: 'limit must be a whole number from 1 to 100, got 101' });
  });

  it('search takes a limit of at most 200 and at most 3 filter groups of 3 filters', async () => {
    const s = await started();
    const search = (body: unknown) => call(s, '/crm/v3/objects/companies/search', { method: 'POST', body: JSON.stringify(body) });
    const f = { propertyName: 'name', operator: 'HAS_PROPERTY' };
    expect((await search({ limit: 200, filterGroups: [{ filters: [f, f, f] }, { filters: [f] }, { filters: [f] }] })).status).toBe(200);
    expect((await search({ limit: 201 })).status).toBe(400);
    expect((await search({ filterGroups: [{ filters: [f] }, { filters: [f] }, { filters: [f] }, { filters: [f] }] })).status).toBe(400);
    expect((await search({ filterGroups: [{ filters: [f, f, f, f] }] })).status).toBe(400);
  });

  it('search with no filter answers every live record with its total, newest first, and refuses what HubSpot refuses', async () => {
    // No per-second search limit: the calls below come faster than HubSpot's five a second.
    sb = await startSandbox({ seed: smallSnapshot(), hubspotLimits: { searchPerSecond: null } });
    const s = sb;
    const search = (body: unknown) => call(s, '/crm/v3/objects/companies/search', { method: 'POST', body: JSON.stringify(body) });
    const live = s.hs.list('companies').length;
    const newest = { filterGroups: [], sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'DESCENDING' }], properties: ['name'], limit: 2 };
    // The most recently modified first: make one company the newest.
    const last = s.hs.list('companies').at(-1)!.id;
    s.hs.update('companies', last, { industry: 'UTILITIES' });
    const page = await search(newest);
    expect(page.status).toBe(200);
    const body = page.body as { total: number; results: { id: string; properties: Record<string, string> }[]; paging?: { next: { after: string } } };
    expect([body.total, body.results.length, body.results[0]!.id, body.paging?.next.after]).toEqual([live, 2, last, '2']);
    const stamps = body.results.map((r) => Date.parse(r.properties['hs_lastmodifieddate']!));
    expect(stamps[0]).toBeGreaterThanOrEqual(stamps[1]!);
    // An empty body is the documented "basic search": every live record, counted.
    expect(((await search({})).body as { total: number }).total).toBe(live);
    // An archived record leaves the search and its total.
    s.hs.archive('companies', last);
    expect(((await search(newest)).body as { total: number; results: { id: string }[] })).toMatchObject({ total: live - 1 });
    expect(((await search(newest)).body as { results: { id: string }[] }).results.map((r) => r.id)).not.toContain(last);
    // One sort only, a known direction, a known property, at most 200 a page, never past 10,000.
    const sort = { propertyName: 'hs_lastmodifieddate', direction: 'DESCENDING' };
    const refused = [
      { ...newest, sorts: [sort, { propertyName: 'name', direction: 'ASCENDING' }] },
      { ...newest, sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'DOWN' }] },
      { ...newest, sorts: [{ propertyName: 'no_such_property', direction: 'DESCENDING' }] },
      { ...newest, limit: 201 },
      { ...newest, after: '10000' },
    ];
    for (const b of refused) {
      const r = await search(b);
      expect([r.status, (r.body as { category: string }).category]).toEqual([400, 'VALIDATION_ERROR']);
    }
  });

  it('search keeps an archived record in its answers and total for as long as its index lags (hubspotSearchLagMs)', async () => {
    sb = await startSandbox({ seed: smallSnapshot(), clockStart: '2026-06-30T08:00:00Z', hubspotSearchLagMs: 60_000 });
    const s = sb;
    // Past the lag of what the seed archived.
    s.clock.advance(61_000);
    const live = s.hs.list('companies').length;
    const gone = s.hs.list('companies')[0]!.id;
    s.hs.archive('companies', gone);
    const total = async (): Promise<number> => ((await call(s, '/crm/v3/objects/companies/search', { method: 'POST', body: '{}' })).body as { total: number }).total;
    expect(await total()).toBe(live);
    s.clock.advance(61_000);
    expect(await total()).toBe(live - 1);
    // The archived list has it at once.
    const archived = (await call(s, '/crm/v3/objects/companies?archived=true')).body as { results: { id: string }[] };
    expect(archived.results.map((r) => r.id)).toContain(gone);
  });

  it('batch reads take at most 100 inputs, association batch reads at most 1,000', async () => {
    const s = await started();
    const ids = (n: number) => Array.from({ length: n }, (_, i) => ({ id: String(1000 + i) }));
    const read = await call(s, '/crm/v3/objects/companies/batch/read', { method: 'POST', body: JSON.stringify({ inputs: ids(101), properties: [] }) });
    expect([read.status, (read.body as { category: string }).category]).toEqual([400, 'VALIDATION_ERROR']);
    const assoc = (n: number) => call(s, '/crm/v4/associations/companies/contacts/batch/read', { method: 'POST', body: JSON.stringify({ inputs: ids(n) }) });
    expect((await assoc(1000)).status).toBe(207);
    expect((await assoc(1001)).status).toBe(400);
  });
});

describe('Salesforce caps and job states', () => {
  const sfCall = (s: Sandbox, path: string, init: RequestInit = {}) => call(s, `/services/data/v62.0${path}`, { ...init, token: s.salesforce.accessToken });

  it('collections take at most 200 records', async () => {
    const s = await started();
    const id = s.ids.salesforce.accounts['a1'] ?? '';
    const records = (n: number) => Array.from({ length: n }, () => ({ attributes: { type: 'Account' }, id, Name: 'Same' }));
    expect((await sfCall(s, '/composite/sobjects', { method: 'PATCH', body: JSON.stringify({ records: records(200) }) })).status).toBe(200);
    const over = await sfCall(s, '/composite/sobjects', { method: 'PATCH', body: JSON.stringify({ records: records(201) }) });
    expect([over.status, (over.body as { errorCode: string }[])[0]?.errorCode]).toEqual([400, 'EXCEEDED_ID_LIMIT']);
  });

  it('refuses a SOQL statement past 100,000 characters and a query URI past 16,384 bytes', async () => {
    const s = await started();
    const long = `SELECT Id FROM Account WHERE Name != '${'x'.repeat(100_000)}'`;
    const job = await sfCall(s, '/jobs/query', { method: 'POST', body: JSON.stringify({ operation: 'query', query: long }) });
    expect([job.status, (job.body as { errorCode: string }[])[0]?.errorCode]).toEqual([400, 'MALFORMED_QUERY']);
    const uri = await sfCall(s, `/query?q=${encodeURIComponent(`SELECT Id FROM Account WHERE Name != '${'y'.repeat(16_400)}'`)}`);
    expect(uri.status).toBe(414);
  });

  it('moves Bulk API 2.0 jobs only through the documented states', async () => {
    const s = await started();
    const job = (await sfCall(s, '/jobs/ingest', { method: 'POST', body: JSON.stringify({ object: 'Account', operation: 'update' }) })).body as { id: string };
    const upload = (csv: string) => sfCall(s, `/jobs/ingest/${job.id}/batches`, { method: 'PUT', body: csv, headers: { 'Content-Type': 'text/csv' } });
    expect((await upload(`Id,Name\n${s.ids.salesforce.accounts['a1'] ?? ''},Renamed\n`)).status).toBe(201);
    // No results while the job is open.
    expect((await sfCall(s, `/jobs/ingest/${job.id}/failedResults`)).status).toBe(400);
    expect((await sfCall(s, `/jobs/ingest/${job.id}`, { method: 'PATCH', body: JSON.stringify({ state: 'UploadComplete' }) })).status).toBe(200);
    // Closed: no more data, no second close.
    const late = await upload('Id,Name\n');
    expect([late.status, (late.body as { errorCode: string }[])[0]?.errorCode]).toEqual([400, 'INVALIDJOBSTATE']);
    expect((await sfCall(s, `/jobs/ingest/${job.id}`, { method: 'PATCH', body: JSON.stringify({ state: 'UploadComplete' }) })).status).toBe(400);
    expect(((await sfCall(s, `/jobs/ingest/${job.id}`)).body as { state: string }).state).toBe('JobComplete');
    expect((await sfCall(s, `/jobs/ingest/${job.id}/successfulResults`)).status).toBe(200);

    // Get All Jobs lists it with its state; an unknown jobType is refused.
    const all = (await sfCall(s, '/jobs/ingest?jobType=V2Ingest')).body as { done: boolean; records: { id: string; state: string; object: string }[] };
    expect(all).toMatchObject({ done: true, records: [{ id: job.id, state: 'JobComplete', object: 'Account' }] });
    expect((await sfCall(s, '/jobs/ingest?jobType=Bogus')).status).toBe(400);

    const query = (await sfCall(s, '/jobs/query', { method: 'POST', body: JSON.stringify({ operation: 'query', query: 'SELECT Id FROM Account' }) })).body as { id: string };
    expect(((await sfCall(s, `/jobs/query/${query.id}`)).body as { state: string }).state).toBe('JobComplete');
    const abort = await sfCall(s, `/jobs/query/${query.id}`, { method: 'PATCH', body: JSON.stringify({ state: 'Aborted' }) });
    expect([abort.status, (abort.body as { errorCode: string }[])[0]?.errorCode]).toEqual([400, 'INVALIDJOBSTATE']);
  });
});
