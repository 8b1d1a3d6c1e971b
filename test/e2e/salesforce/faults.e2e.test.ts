import { afterEach, describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../../src/cli/commands/sync.ts';
import { PLANTED } from '../../../src/sandbox/generate.ts';
import { CONNECTION_ID, kamOf, sampleOrg, startWorld, writeCalls, type World } from './harness.ts';
import { loadMirror } from '../../../src/store/read-mirror.ts';
import { OBJECT_KINDS } from '../../../src/contract/connector.ts';

const SEED = sampleOrg(80);
let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function provisioned(extraOptions: Record<string, unknown> = {}): Promise<World> {
  world = await startWorld(SEED, {}, extraOptions);
  await (await world.connector()).provision();
  return world;
}

/** KAM values of every account, by seeded id. */
function allKam(w: World): Record<string, Record<string, unknown>> {
  return Object.fromEntries(SEED.accounts.map((a) => [a.id, kamOf(w.sb, a.id)]));
}

/** What a fault-free run leaves in the simulator (kam_updated_at aside, which follows the run time). */
async function cleanEndState(): Promise<{ kam: Record<string, Record<string, unknown>>; calls: number }> {
  const w = await startWorld(SEED);
  try {
    await (await w.connector()).provision();
    const run = await w.sync({ confirm: true });
    expect(run.run.status).toBe('succeeded');
    return { kam: withoutStamp(allKam(w)), calls: Object.values(run.run.apiUsage).reduce((a, b) => a + b, 0) };
  } finally {
    await w.close();
  }
}

function withoutStamp(all: Record<string, Record<string, unknown>>): Record<string, Record<string, unknown>> {
  return Object.fromEntries(Object.entries(all).map(([id, v]) => {
    const { KAM_Updated_At__c: _stamp, ...rest } = v;
    return [id, rest];
  }));
}

describe('Salesforce end to end: injected faults', () => {
  it('recovers from concurrent-request limits and 5xx answers with the same end state', async () => {
    const clean = await cleanEndState();
    const w = await provisioned({ retry: { retries: 8, minDelayMs: 1, maxDelayMs: 4 } });
    w.sb.setFaults({ salesforce: { rate429: 0.2, rate5xx: 0.2 }, seed: 11 });
    w.sb.resetCalls();
    const run = await w.sync({ confirm: true });
    expect(run.run.status).toBe('succeeded');
    expect(run.run.counts).toMatchObject({ written: 80, failed: 0 });
    // Faults did happen: the run needed more calls than a clean one, every one of them counted.
    const received = Object.values(w.sb.calls()).reduce((a, b) => a + b, 0);
    const made = Object.values(run.run.apiUsage).reduce((a, b) => a + b, 0);
    expect(made).toBeGreaterThan(clean.calls);
    expect(received).toBe(made);
    expect(withoutStamp(allKam(w))).toEqual(clean.kam);

    w.sb.setFaults({});
    w.sb.resetCalls();
    const again = await w.sync({ confirm: true });
    expect(again.plan?.writes).toEqual([]);
    expect(writeCalls(w.sb.calls())).toBe(0);
  });

  it('refreshes an expired session once and keeps the new tokens in the store', async () => {
    const w = await provisioned();
    const before = await w.store.loadCredentials(CONNECTION_ID);
    w.sb.expireAccessTokens('salesforce');
    w.sb.resetCalls();
    const run = await w.sync({ confirm: true });
    expect(run.run.status).toBe('succeeded');
    expect(run.run.apiUsage['tokenRefresh']).toBe(1);
    expect(w.sb.calls()['salesforce.token']).toBe(1);
    const after = await w.store.loadCredentials(CONNECTION_ID);
    expect(after.tokens?.accessToken).toBeTruthy();
    expect(after.tokens?.accessToken).not.toBe(before.tokens?.accessToken);
    expect(after.tokens?.refreshToken).toBe(before.tokens?.refreshToken);
    expect(after.tokens?.instanceUrl).toBe(w.sb.salesforce.instanceUrl);
    expect(kamOf(w.sb, PLANTED.key18)['KAM_Tier__c']).toBe('Key');

    // The stored token is the live one: the next run needs no refresh.
    w.sb.resetCalls();
    const next = await w.sync({ confirm: true });
    expect(next.run.status).toBe('succeeded');
    expect(next.run.apiUsage['tokenRefresh']).toBeUndefined();
    expect(w.sb.calls()['salesforce.token']).toBeUndefined();

    // A session ending between the plan and the write-back: the write is refreshed and sent once.
    const deal = w.sb.sf.query(`SELECT Id, Amount FROM Opportunity WHERE IsWon = true AND CloseDate >= 2024-07-01 AND CloseDate < 2025-07-01 AND AccountId = '${w.sb.ids.salesforce.accounts[PLANTED.key18] ?? ''}' ORDER BY Id LIMIT 1`)[0];
    w.sb.sf.update('Opportunity', String(deal?.['Id']), { Amount: Number(deal?.['Amount']) * 3 });
    w.deps.onProgress = (e) => {
      if (e.stage === 'plan') w.sb.expireAccessTokens('salesforce');
    };
    w.sb.resetCalls();
    const midway = await w.sync({ confirm: true });
    w.deps.onProgress = undefined;
    expect(midway.run.status).toBe('succeeded');
    expect(midway.run.counts).toMatchObject({ written: 12, failed: 0 });
    expect(midway.run.apiUsage['tokenRefresh']).toBe(1);
    // The refused attempt and the one that went through.
    expect(w.sb.calls()['salesforce.collectionsUpdate']).toBe(2);
  });

  it('fails cleanly when the refresh token is revoked, naming the cause and no secret', async () => {
    const w = await provisioned();
    const credentials = await w.store.loadCredentials(CONNECTION_ID);
    w.sb.revokeTokens('salesforce');
    const run = await w.sync({ confirm: true });
    expect(run.run.status).toBe('failed');
    expect(run.run.error).toMatch(/Salesforce token refresh failed: invalid_grant/);
    for (const secret of [credentials.tokens?.accessToken, credentials.tokens?.refreshToken, credentials.clientSecret]) {
      expect(run.run.error).not.toContain(String(secret));
    }
    expect(run.run.counts.written).toBe(0);
    expect(kamOf(w.sb, PLANTED.key18)['KAM_Tier__c']).toBeNull();
  });

  it('reports accounts whose rows stay locked, and writes them on the next run', async () => {
    const w = await provisioned();
    const locked = [`${PLANTED.key18}-02`, PLANTED.singleThreaded].map((id) => {
      const sf = w.sb.ids.salesforce.accounts[id];
      if (!sf) throw new Error(`no account ${id}`);
      return sf;
    });
    w.sb.setFaults({ salesforce: { lockedRecords: locked } });
    const first = await w.sync({ confirm: true });
    expect(first.run.status).toBe('succeeded');
    expect(first.run.counts).toMatchObject({ written: 78, failed: 2 });
    const failed = (await w.store.listWrites(first.run.id)).filter((x) => x.status !== 'ok');
    expect(failed.map((f) => [f.accountId, f.errorKind, f.code]).sort()).toEqual(locked.map((id) => [id, 'transient', 'UNABLE_TO_LOCK_ROW']).sort());
    expect(kamOf(w.sb, `${PLANTED.key18}-02`)['KAM_Tier__c']).toBeNull();
    expect(kamOf(w.sb, `${PLANTED.key18}-03`)['KAM_Tier__c']).toBe('Key');
    // One collection call, then one per record retry, each with only the locked rows.
    expect(first.run.apiUsage['collectionsUpdate']).toBe(3);

    w.sb.setFaults({});
    const second = await w.sync({ confirm: true });
    expect(second.run.status).toBe('succeeded');
    expect(second.plan?.writes.map((x) => x.accountId).sort()).toEqual([...locked].sort());
    expect(second.run.counts).toMatchObject({ written: 2, failed: 0 });
    expect(kamOf(w.sb, `${PLANTED.key18}-02`)['KAM_Tier__c']).toBe('Key');
  });

  it('stops at the daily limit with the cursors kept, and the next run resumes and finishes', async () => {
    const clean = await cleanEndState();
    // No reserve: the run goes up to the allowance itself.
    const w = await provisioned({ apiReserve: 0 });
    // Seven calls: currency, users, products, describe, accounts, and the first 200 of 240 contacts.
    w.sb.setFaults({ salesforce: { dailyLimitAfter: 7 } });
    const stopped = await w.sync({ confirm: true });
    expect(stopped.run.status).toBe('stopped-by-limit');
    expect(exitCodeFor(stopped.run)).toBe(3);
    expect(stopped.run.error).toMatch(/ (\d+) of \1 daily Salesforce API requests used/);
    expect(stopped.run.counts.written).toBe(0);
    expect(stopped.run.counts.pulled).toEqual({ users: SEED.users.length + 1, products: SEED.products.length, accounts: 80, contacts: 200 });
    const states = await w.store.getStreamStates(CONNECTION_ID);
    for (const k of ['users', 'products', 'accounts'] as const) expect(states[k]).toMatchObject({ phase: 'incremental', cursor: { phase: 'incremental', complete: true } });
    expect(states.contacts).toMatchObject({ phase: 'full', cursor: { phase: 'full' } });
    expect(String(states.contacts?.cursor?.['afterId'])).toMatch(/^003/);
    expect(states.opportunities).toBeUndefined();
    expect(kamOf(w.sb, PLANTED.key18)['KAM_Tier__c']).toBeNull();

    // The next day: the allowance is back.
    w.sb.resetDailyUsage();
    w.sb.setFaults({});
    const resumed = await w.sync({ confirm: true });
    expect(resumed.run.status).toBe('succeeded');
    expect(resumed.run.counts.written).toBe(80);
    // Contacts go on after the last one stored; the full pull's sweep keeps the first 200.
    expect(resumed.run.counts.pulled['contacts']).toBe(40);
    expect(resumed.run.counts.swept).toBe(0);
    expect((await loadMirror(w.store, CONNECTION_ID)).contacts).toHaveLength(SEED.contacts.length);
    const after = await w.store.getStreamStates(CONNECTION_ID);
    expect(Object.values(after).map((st) => st?.phase)).toEqual(Array(OBJECT_KINDS.length).fill('incremental'));
    expect(withoutStamp(allKam(w))).toEqual(clean.kam);
  });

  it('a limit reached in the middle of the write-back keeps what was written, and the next run writes the rest', async () => {
    const w = await provisioned({ pushBatchSize: 20 });
    // After two chunks of 20, the org's allowance is used up.
    w.deps.onProgress = (e) => {
      if (e.stage === 'push' && e.sent === 40) w.sb.sf.setDailyLimit(w.sb.sf.apiUsage().used);
    };
    const stopped = await w.sync({ confirm: true });
    expect(stopped.run.status).toBe('stopped-by-limit');
    expect(stopped.run.counts.written).toBe(40);
    const writes = await w.store.listWrites(stopped.run.id);
    const done = writes.filter((x) => x.status === 'ok').map((x) => x.accountId);
    expect(done).toHaveLength(40);
    const written = SEED.accounts.filter((a) => kamOf(w.sb, a.id)['KAM_Tier__c'] !== null).map((a) => w.sb.ids.salesforce.accounts[a.id]);
    expect(new Set(written)).toEqual(new Set(done));

    w.deps.onProgress = undefined;
    w.sb.resetDailyUsage();
    w.sb.sf.setDailyLimit(100_000);
    const resumed = await w.sync({ confirm: true });
    expect(resumed.run.status).toBe('succeeded');
    expect(resumed.run.counts.written).toBe(40);
    expect(resumed.plan?.writes.map((x) => x.accountId).filter((id) => done.includes(id))).toEqual([]);
    expect(SEED.accounts.filter((a) => kamOf(w.sb, a.id)['KAM_Tier__c'] === null)).toEqual([]);
  });

  it('stops on the org answering REQUEST_LIMIT_EXCEEDED, and before the reserve when it knows the usage', async () => {
    const w = await provisioned();
    w.sb.setFaults({ salesforce: { dailyLimitAfter: 0 } });
    const exhausted = await w.sync({ confirm: true });
    expect(exhausted.run.status).toBe('stopped-by-limit');
    expect(exhausted.run.error).toMatch(/REQUEST_LIMIT_EXCEEDED/);
    w.sb.setFaults({});

    const used = w.sb.sf.apiUsage().used;
    // 80% of the allowance is reached within a few calls: the default reserve keeps 20% free.
    w.sb.sf.setDailyLimit(Math.ceil((used + 5) / 0.8));
    const stopped = await w.sync({ confirm: true });
    expect(stopped.run.status).toBe('stopped-by-limit');
    expect(stopped.run.error).toMatch(/API reserve/);
    const usage = w.sb.sf.apiUsage();
    expect(usage.used).toBeLessThanOrEqual(Math.floor(usage.max * 0.8));
    w.sb.sf.setDailyLimit(100_000);
    const resumed = await w.sync({ confirm: true });
    expect(resumed.run.status).toBe('succeeded');
    expect(kamOf(w.sb, PLANTED.key18)['KAM_Tier__c']).toBe('Key');
  });
});
