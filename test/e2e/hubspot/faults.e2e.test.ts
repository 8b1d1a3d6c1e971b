import { afterEach, describe, expect, it } from 'vitest';
import { buildAuthorizeUrl, exchangeCode } from '../../../connectors/hubspot/index.ts';
import { exitCodeFor } from '../../../src/cli/commands/sync.ts';
import { EXIT } from '../../../src/cli/command.ts';
import { CONNECTION, kamValues, startWorld, type World, type WorldOptions } from './harness.ts';

/**
 * Each injected fault of the sandbox's HubSpot, met by the connector and the sync engine:
 * recovered from with the same end state as a clean run, or stopped cleanly and resumed.
 */

const worlds: World[] = [];
afterEach(async () => {
  while (worlds.length) await worlds.pop()?.close();
});

async function world(options: WorldOptions = {}): Promise<World> {
  const w = await startWorld({ accounts: 60, ...options });
  worlds.push(w);
  const report = await w.provision();
  expect(report.fields.every((f) => f.status === 'created')).toBe(true);
  return w;
}

/** Kamflow's values by seed account id, without the write time, which differs from run to run. */
function endState(w: World): Record<string, Record<string, string | null>> {
  const byHsId = kamValues(w);
  const out: Record<string, Record<string, string | null>> = {};
  for (const [seedId, hsId] of Object.entries(w.sb.ids.hubspot.accounts)) {
    const v = byHsId.get(hsId);
    if (!v) continue;
    const { kam_updated_at: _at, ...rest } = v;
    out[seedId] = rest;
  }
  return out;
}

const totalCalls = (w: World): number => Object.values(w.sb.calls()).reduce((a, b) => a + b, 0);

let clean: { state: Record<string, Record<string, string | null>>; calls: number } | null = null;
/** A fault-free full sync of the same org: its end state and the HubSpot calls it took. */
async function cleanRun(): Promise<{ state: Record<string, Record<string, string | null>>; calls: number }> {
  if (clean) return clean;
  const w = await world();
  w.sb.resetCalls();
  const r = await w.sync({ full: true, confirm: true });
  expect([r.run.status, r.run.counts.written]).toEqual(['succeeded', 60]);
  clean = { state: endState(w), calls: totalCalls(w) };
  return clean;
}
const cleanEndState = async (): Promise<Record<string, Record<string, string | null>>> => (await cleanRun()).state;

describe('HubSpot faults end to end', () => {
  it('429s and 5xx are retried: same end state as a clean run', async () => {
    const expected = await cleanRun();
    const w = await world();
    w.sb.setFaults({ hubspot: { rate429: 0.15, rate5xx: 0.15 }, seed: 5 });
    w.sb.resetCalls();
    const r = await w.sync({ full: true, confirm: true });
    expect([r.run.status, r.run.error]).toEqual(['succeeded', null]);
    expect(r.run.counts.written).toBe(60);
    expect(endState(w)).toEqual(expected.state);
    // The faults did happen: the retries are extra calls, and the run counted each attempt.
    expect(totalCalls(w)).toBeGreaterThan(expected.calls);
    expect(Object.values(r.run.apiUsage).reduce((a, b) => a + b, 0)).toBe(totalCalls(w));
  });

  it('an expired access token is refreshed once and the new tokens are kept in the store', async () => {
    const w = await world({ oauth: true });
    const before = (await w.store.loadCredentials(CONNECTION)).tokens;
    w.sb.setFaults({ hubspot: { expireTokens: 1 } });
    w.sb.resetCalls();
    const r = await w.sync({ full: true, confirm: true });
    expect([r.run.status, r.run.error]).toEqual(['succeeded', null]);
    expect(r.run.counts.written).toBe(60);
    expect(w.sb.calls()['hubspot.token']).toBe(1);
    const after = (await w.store.loadCredentials(CONNECTION)).tokens;
    expect(after?.accessToken).toBeTruthy();
    expect(after?.accessToken).not.toBe(before?.accessToken);
    expect(after?.refreshToken).toBeTruthy();
    expect(after?.expiresAt).toBeGreaterThan(Date.now() + 20 * 60_000);

    // The next run works with the stored access token: no refresh.
    w.sb.resetCalls();
    const next = await w.sync({ confirm: true });
    expect([next.run.status, next.run.error]).toEqual(['succeeded', null]);
    expect(w.sb.calls()['hubspot.token']).toBeUndefined();

    // Every access token ends: the stored refresh token gets new ones, stored again.
    w.sb.expireAccessTokens('hubspot');
    w.sb.resetCalls();
    const third = await w.sync({ confirm: true });
    expect([third.run.status, third.run.error]).toEqual(['succeeded', null]);
    expect(w.sb.calls()['hubspot.token']).toBe(1);
    expect((await w.store.loadCredentials(CONNECTION)).tokens?.accessToken).not.toBe(after?.accessToken);
  });

  it('an app install: authorize, code exchange, then a sync on the installed tokens', async () => {
    const w = await world();
    const redirectUri = 'http://127.0.0.1:9/oauth/hubspot/callback';
    const authorize = buildAuthorizeUrl({ clientId: w.sb.hubspot.clientId, redirectUri, state: 'st-42', authorizeHost: w.sb.hubspot.authorizeHost });
    const consent = await fetch(authorize, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const back = new URL(consent.headers.get('location') ?? '');
    expect([back.origin + back.pathname, back.searchParams.get('state')]).toEqual([redirectUri, 'st-42']);
    const code = back.searchParams.get('code') ?? '';
    const tokens = await exchangeCode({ basePath: w.sb.hubspot.baseUrl, clientId: w.sb.hubspot.clientId, clientSecret: w.sb.hubspot.clientSecret, redirectUri, code, minDelayMs: 1 });
    expect(tokens.refreshToken).toBeTruthy();
    expect(tokens.expiresAt).toBeGreaterThan(Date.now() + 25 * 60_000);
    // A code is good once.
    await expect(exchangeCode({ basePath: w.sb.hubspot.baseUrl, clientId: w.sb.hubspot.clientId, clientSecret: w.sb.hubspot.clientSecret, redirectUri, code, minDelayMs: 1 }))
      .rejects.toMatchObject({ kind: 'auth' });

    // The install stores the connection with the new tokens and the app's client.
    const connection = await w.store.getConnection(CONNECTION);
    await w.store.deleteConnection(CONNECTION);
    await w.store.createConnection({ id: CONNECTION, crm: 'hubspot', baseUrl: w.sb.hubspot.baseUrl, options: { ...connection?.options, clientId: w.sb.hubspot.clientId }, tokens, clientSecret: w.sb.hubspot.clientSecret });
    w.sb.resetCalls();
    const r = await w.sync({ full: true, confirm: true });
    expect([r.run.status, r.run.error, r.run.counts.written]).toEqual(['succeeded', null, 60]);
    expect(w.sb.calls()['hubspot.token']).toBeUndefined();
  });

  it('locked records are reported per record and written by the next run', async () => {
    const w = await world();
    const locked = ['ACC-KEY18-03', 'ACC-000001'].map(w.hsId);
    w.sb.setFaults({ hubspot: { lockedRecords: locked } });
    const r = await w.sync({ full: true, confirm: true });
    expect([r.run.status, r.run.error]).toEqual(['succeeded', null]);
    expect([r.run.counts.written, r.run.counts.failed]).toEqual([58, 2]);
    const failed = (await w.store.listWrites(r.run.id)).filter((x) => x.status === 'failed');
    expect(failed.map((x) => [x.accountId, x.errorKind]).sort()).toEqual(locked.map((id) => [id, 'transient']).sort());
    for (const id of locked) expect(w.sb.hs.object('companies', id)?.properties['kam_tier'] ?? null).toBeNull();
    expect(w.company('ACC-KEY18')['kam_tier']).toBe('Key');

    w.sb.setFaults({});
    const next = await w.sync({ confirm: true });
    expect([next.run.status, next.run.error]).toEqual(['succeeded', null]);
    expect(next.plan?.writes.map((x) => x.accountId).sort()).toEqual([...locked].sort());
    expect([next.run.counts.written, next.run.counts.failed]).toEqual([2, 0]);
    expect(endState(w)).toEqual(await cleanEndState());
  });

  it('the daily limit stops the run resumably; the next day it finishes', async () => {
    // Association reads of 100 ids: each list page is its own checkpoint, so the limit meets a
    // stream half-read.
    const w = await world({ options: { pageSizes: { associations: 100 } } });
    w.sb.setFaults({ hubspot: { dailyLimitAfter: 8 } });
    const r = await w.sync({ full: true, confirm: true });
    expect(r.run.status).toBe('stopped-by-limit');
    expect(exitCodeFor(r.run)).toBe(EXIT.apiLimit);
    expect(EXIT.apiLimit).toBe(3);
    expect(r.run.error).toMatch(/daily API limit/);
    expect(r.run.counts.written).toBe(0);
    const states = await w.store.getStreamStates(CONNECTION);
    // 8 calls: owners twice, products, companies with their parents, the first contact page with
    // its companies, the first deal page; its association read meets the limit.
    expect(r.run.counts.pulled).toEqual({ users: 5, products: w.org.products.length, accounts: 60, contacts: 100 });
    expect([states.users?.phase, states.products?.phase, states.accounts?.phase]).toEqual(['incremental', 'incremental', 'incremental']);
    expect(states.contacts?.phase).toBe('full');
    expect(states.contacts?.cursor).toMatchObject({ phase: 'list', after: expect.any(String) });
    expect(states.opportunities).toBeUndefined();

    w.sb.resetDailyUsage();
    w.sb.setFaults({});
    const next = await w.sync({ confirm: true });
    expect([next.run.status, next.run.error]).toEqual(['succeeded', null]);
    expect(next.run.counts.written).toBe(60);
    // The contacts resume after the first page instead of starting over.
    expect(next.run.counts.pulled.contacts).toBe(w.org.contacts.length - 100);
    expect(next.run.counts.pulled.opportunities).toBe(w.org.opportunities.length);
    expect(endState(w)).toEqual(await cleanEndState());
  });

  it('a daily limit met by the write-back stops the run by the limit; the next day writes it all', async () => {
    const w = await world();
    // The full pull takes the clean run's calls but its one batch update.
    const pullCalls = (await cleanRun()).calls - 1;
    w.sb.setFaults({ hubspot: { dailyLimitAfter: pullCalls } });
    w.sb.resetCalls();
    const r = await w.sync({ full: true, confirm: true });
    expect([r.run.status, exitCodeFor(r.run)]).toEqual(['stopped-by-limit', 3]);
    expect(r.run.error).toMatch(/daily API limit reached during batch update/);
    expect(r.run.counts.written).toBe(0);
    expect(w.sb.calls()['hubspot.batchUpdate']).toBe(1);
    expect([...kamValues(w).values()].filter((v) => v['kam_tier'])).toEqual([]);
    expect(kamValues(w).size).toBe(60);

    w.sb.resetDailyUsage();
    const next = await w.sync({ confirm: true });
    expect([next.run.status, next.run.error]).toEqual(['succeeded', null]);
    expect(next.run.counts.written).toBe(60);
    expect(endState(w)).toEqual(await cleanEndState());
  });
});
