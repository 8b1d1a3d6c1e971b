import { expect, it } from 'vitest';
import { AlreadyConnectedError } from '../../../src/contract/errors.ts';
import { EncryptionKeyError } from '../../../src/store/crypto.ts';
import type { NewQuarantineEntry, NewRun, StoredWrite } from '../../../src/store/types.ts';
import { describeStores } from '../../support/stores.ts';
import { account, accountsPage, KEY_A, KEY_B } from './records.ts';

const SF = { crm: 'salesforce' as const, baseUrl: 'https://acme.my.salesforce.com' };

function run(id: string, startedAt: string, over: Partial<NewRun> = {}): NewRun {
  return { id, connectionId: 'c1', kind: 'sync', mode: 'incremental', dryRun: false, asOf: '2026-06-30', startedAt, ...over };
}

function write(accountId: string, chunk: number, over: Partial<StoredWrite> = {}): StoredWrite {
  return { accountId, chunk, fields: { kam_tier: 'Key', kam_score: 71.5 }, previous: { kam_tier: 'Standard', kam_score: 12 }, status: 'pending', errorKind: null, code: null, message: null, ...over };
}

function entry(accountId: string, over: Partial<NewQuarantineEntry> = {}): NewQuarantineEntry {
  return {
    accountId, runId: 'r1', code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Tier needs an owner', fields: { kam_tier: 'Key' },
    recordStamp: '2026-06-30T08:00:00.000Z', configKey: 'cfg-1', failedAt: '2026-06-30T08:10:00.000Z', retryAfter: '2026-06-30T09:10:00.000Z', ...over,
  };
}

describeStores('store contract: one connection per source account', (h) => {
  it('refuses a second connection of the same account, naming the first, and lets other accounts and sources through', async () => {
    const store = await h.open();
    await store.createConnection({ ...SF, id: 'sf-1', accountId: 'https://acme.my.salesforce.com' });
    const second = store.createConnection({ ...SF, id: 'sf-2', accountId: 'https://acme.my.salesforce.com' });
    await expect(second).rejects.toThrow(AlreadyConnectedError);
    await expect(store.createConnection({ ...SF, id: 'sf-2', accountId: 'https://acme.my.salesforce.com' })).rejects.toThrow(/already connected as sf-1/);
    expect(await store.getConnection('sf-2')).toBeNull();
    // Another org, the same account id under another source, and connections without one.
    await store.createConnection({ ...SF, id: 'sf-3', accountId: 'https://other.my.salesforce.com' });
    await store.createConnection({ crm: 'hubspot', baseUrl: 'https://api.hubapi.com', id: 'hs-1', accountId: 'https://acme.my.salesforce.com' });
    await store.createConnection({ ...SF, id: 'sf-4' });
    await store.createConnection({ ...SF, id: 'sf-5' });
    expect((await store.getConnection('sf-1'))?.accountId).toBe('https://acme.my.salesforce.com');
    expect((await store.getConnection('sf-4'))?.accountId).toBeNull();
    // An update may not move a connection onto an account another one holds.
    await expect(store.updateConnection('sf-4', { accountId: 'https://acme.my.salesforce.com' })).rejects.toThrow(AlreadyConnectedError);
    expect((await store.updateConnection('sf-4', { accountId: 'https://new.my.salesforce.com' })).accountId).toBe('https://new.my.salesforce.com');
    // Deleting the first frees its account.
    await store.deleteConnection('sf-1');
    expect((await store.createConnection({ ...SF, id: 'sf-6', accountId: 'https://acme.my.salesforce.com' })).id).toBe('sf-6');
  });

  it('lets exactly one of two stores connecting the same account at once win', async () => {
    const a = await h.open();
    const b = await h.open();
    const results = await Promise.allSettled([
      a.createConnection({ ...SF, id: 'sf-a', accountId: 'org-1' }),
      b.createConnection({ ...SF, id: 'sf-b', accountId: 'org-1' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected');
    expect(lost?.status === 'rejected' ? lost.reason : null).toBeInstanceOf(AlreadyConnectedError);
    expect((await a.listConnections()).map((c) => c.accountId)).toEqual(['org-1']);
  });
});

describeStores('store contract: the encryption key a store was set up with', (h) => {
  it('remembers the first key and refuses another one at open, on an empty store too', async () => {
    const first = await h.open({ encryptionKey: KEY_A });
    await first.close();
    await expect(h.open({ encryptionKey: KEY_B })).rejects.toThrow(EncryptionKeyError);
    await expect(h.open({ encryptionKey: KEY_B })).rejects.toThrow(/refuses a second key on one store/);
    const again = await h.open({ encryptionKey: KEY_A });
    await again.createConnection({ ...SF, id: 'c1', tokens: { accessToken: 'tok' } });
    expect((await again.loadCredentials('c1')).tokens?.accessToken).toBe('tok');
    // Without a key the store opens (commands that need no secret still work).
    const keyless = await h.open();
    expect((await keyless.listConnections()).map((c) => c.id)).toEqual(['c1']);
  });
});

describeStores('store contract: writes in flight and memory', (h) => {
  it('keeps a write whose answer was lost in flight, lists it with its run, and settles it as applied or not', async () => {
    const store = await h.open();
    await store.createConnection({ ...SF, id: 'c1' });
    await store.createRun(run('r1', '2026-06-30T08:00:00.000Z'));
    await store.createRun(run('r0', '2026-06-30T07:00:00.000Z', { connectionId: 'c2' }));
    await store.checkpointPage(accountsPage([account('A', { kam_tier: 'Standard' }), account('B'), account('C')]));
    await store.savePlannedWrites('r1', [write('A', 0), write('B', 0), write('C', 1)]);
    await store.savePlannedWrites('r0', [write('A', 0, { status: 'sending' })]);
    await store.markChunkSending('r1', 0);
    await store.recordChunkOutcomes('r1', 'c1', [
      { accountId: 'A', ok: false, errorKind: 'unknown', code: 'OUTCOME_UNKNOWN', message: 'connection dropped after sending' },
      { accountId: 'B', ok: false, errorKind: 'unknown', code: 'OUTCOME_UNKNOWN', message: 'connection dropped after sending' },
    ]);
    await store.markChunkSending('r1', 1);
    const inFlight = await store.listInFlightWrites('c1');
    expect(inFlight.map((w) => [w.runId, w.accountId, w.status, w.errorKind, w.code])).toEqual([
      ['r1', 'A', 'sending', 'unknown', 'OUTCOME_UNKNOWN'],
      ['r1', 'B', 'sending', 'unknown', 'OUTCOME_UNKNOWN'],
      ['r1', 'C', 'sending', null, null],
    ]);
    // The mirror holds what the CRM held: nothing was confirmed.
    expect((await store.fieldMemory('c1'))).toEqual([]);
    await store.resolveInFlightWrites('c1', [
      { runId: 'r1', accountId: 'A', applied: true, code: 'APPLIED', message: 'the CRM holds the values' },
      { runId: 'r1', accountId: 'B', applied: false, code: 'NOT_APPLIED', message: 'the CRM does not hold them' },
      // Not in flight: left alone.
      { runId: 'r0', accountId: 'Z', applied: true, code: 'APPLIED', message: '-' },
    ]);
    expect((await store.listWrites('r1')).map((w) => [w.accountId, w.status, w.errorKind, w.code, w.message])).toEqual([
      ['A', 'ok', null, 'APPLIED', 'the CRM holds the values'],
      ['B', 'failed', 'transient', 'NOT_APPLIED', 'the CRM does not hold them'],
      ['C', 'sending', null, null, null],
    ]);
    expect((await store.listWrites('r1'))[0]?.previous).toEqual({ kam_tier: 'Standard', kam_score: 12 });
    expect((await store.listInFlightWrites('c1')).map((w) => w.accountId)).toEqual(['C']);
    expect((await store.fieldMemory('c1')).map((m) => [m.accountId, m.field, m.value, m.runId])).toEqual([
      ['A', 'kam_score', 71.5, 'r1'],
      ['A', 'kam_tier', 'Key', 'r1'],
    ]);
  });

  it('remembers the last confirmed value per account and field, across runs, for its connection only', async () => {
    let clock = Date.parse('2026-06-30T08:00:00.000Z');
    const store = await h.open({ now: () => new Date(clock) });
    await store.savePlannedWrites('r1', [write('A', 0), write('B', 0)]);
    await store.recordChunkOutcomes('r1', 'c1', [{ accountId: 'A', ok: true }, { accountId: 'B', ok: false, errorKind: 'bad-data' }]);
    clock += 60_000;
    await store.savePlannedWrites('r2', [write('A', 0, { fields: { kam_tier: 'Develop', kam_why: null } })]);
    await store.recordChunkOutcomes('r2', 'c1', [{ accountId: 'A', ok: true }]);
    await store.savePlannedWrites('r3', [write('A', 0, { fields: { kam_tier: 'Maintain' } })]);
    await store.recordChunkOutcomes('r3', 'c2', [{ accountId: 'A', ok: true }]);
    expect(await store.fieldMemory('c1')).toEqual([
      { accountId: 'A', field: 'kam_score', value: 71.5, runId: 'r1', writtenAt: '2026-06-30T08:00:00.000Z' },
      { accountId: 'A', field: 'kam_tier', value: 'Develop', runId: 'r2', writtenAt: '2026-06-30T08:01:00.000Z' },
      { accountId: 'A', field: 'kam_why', value: null, runId: 'r2', writtenAt: '2026-06-30T08:01:00.000Z' },
    ]);
    expect((await store.fieldMemory('c2')).map((m) => m.value)).toEqual(['Maintain']);
  });

  it('keeps the source\'s modified stamp with mirrored records, replaced on every upsert', async () => {
    const store = await h.open();
    await store.checkpointPage(accountsPage([account('A'), account('B')], { stamps: { A: '2026-06-30T08:00:00.000Z' } }));
    expect(await store.recordStamps('c1', 'accounts', ['A', 'B', 'Z'])).toEqual({ A: '2026-06-30T08:00:00.000Z', B: null });
    await store.checkpointPage(accountsPage([account('A')], { stamps: { A: '2026-06-30T09:00:00.000Z' } }));
    expect(await store.recordStamps('c1', 'accounts', ['A'])).toEqual({ A: '2026-06-30T09:00:00.000Z' });
    expect(await store.recordStamps('c2', 'accounts', ['A'])).toEqual({});
  });
});

describeStores('store contract: conflicts, quarantine, remote jobs', (h) => {
  it('keeps a run\'s field conflicts in order, with every value type', async () => {
    const store = await h.open();
    await store.addFieldConflicts('r1', [
      { accountId: 'A', field: 'kam_tier', current: 'Develop', kamflowValue: 'Key', proposed: 'Standard', changedBy: '005REP', changedAt: '2026-06-30T08:00:00.000Z', source: 'field-history', resolution: 'kept' },
    ]);
    await store.addFieldConflicts('r1', [
      { accountId: 'B', field: 'kam_score', current: 12.5, kamflowValue: null, proposed: 40, changedBy: null, changedAt: null, source: 'memory', resolution: 'overwritten' },
      { accountId: 'C', field: 'kam_key_account', current: false, kamflowValue: true, proposed: true, changedBy: null, changedAt: null, source: 'later-run', resolution: 'kept' },
    ]);
    await store.addFieldConflicts('r2', []);
    const listed = await store.listFieldConflicts('r1');
    expect(listed.map((c) => [c.accountId, c.current, c.kamflowValue, c.proposed, c.source, c.resolution])).toEqual([
      ['A', 'Develop', 'Key', 'Standard', 'field-history', 'kept'],
      ['B', 12.5, null, 40, 'memory', 'overwritten'],
      ['C', false, true, true, 'later-run', 'kept'],
    ]);
    expect(listed[0]).toMatchObject({ changedBy: '005REP', changedAt: '2026-06-30T08:00:00.000Z', field: 'kam_tier' });
    expect(await store.listFieldConflicts('r2')).toEqual([]);
  });

  it('quarantines accounts, counts repeated refusals, keeps the first failure, releases them', async () => {
    const store = await h.open();
    await store.quarantine('c1', [entry('A'), entry('B', { code: 'ENTITY_IS_DELETED', message: 'entity is deleted', recordStamp: null })]);
    await store.quarantine('c1', [entry('A', { runId: 'r2', failedAt: '2026-06-30T10:00:00.000Z', retryAfter: '2026-06-30T14:00:00.000Z', fields: { kam_tier: 'Develop' } })]);
    await store.quarantine('c2', [entry('A')]);
    expect(await store.listQuarantine('c1')).toEqual([
      { ...entry('A', { runId: 'r2', failedAt: '2026-06-30T10:00:00.000Z', retryAfter: '2026-06-30T14:00:00.000Z', fields: { kam_tier: 'Develop' } }), attempts: 2, firstFailedAt: '2026-06-30T08:10:00.000Z' },
      { ...entry('B', { code: 'ENTITY_IS_DELETED', message: 'entity is deleted', recordStamp: null }), attempts: 1, firstFailedAt: '2026-06-30T08:10:00.000Z' },
    ]);
    await store.releaseQuarantine('c1', ['A', 'Z']);
    expect((await store.listQuarantine('c1')).map((q) => q.accountId)).toEqual(['B']);
    expect((await store.listQuarantine('c2')).map((q) => q.accountId)).toEqual(['A']);
  });

  it('records remote jobs once and lists those not settled yet', async () => {
    const store = await h.open();
    await store.recordRemoteJob('c1', { jobId: '750B', runId: 'r1', createdAt: '2026-06-30T08:01:00.000Z' });
    await store.recordRemoteJob('c1', { jobId: '750A', runId: 'r1', createdAt: '2026-06-30T08:00:00.000Z' });
    await store.recordRemoteJob('c1', { jobId: '750A', runId: 'r9', createdAt: '2026-06-30T09:00:00.000Z' });
    await store.recordRemoteJob('c2', { jobId: '750C', runId: 'r2', createdAt: '2026-06-30T08:00:00.000Z' });
    expect(await store.listOpenRemoteJobs('c1')).toEqual([
      { jobId: '750A', runId: 'r1', createdAt: '2026-06-30T08:00:00.000Z' },
      { jobId: '750B', runId: 'r1', createdAt: '2026-06-30T08:01:00.000Z' },
    ]);
    await store.settleRemoteJobs('c1', ['750A'], '2026-06-30T10:00:00.000Z');
    expect((await store.listOpenRemoteJobs('c1')).map((j) => j.jobId)).toEqual(['750B']);
    expect((await store.listOpenRemoteJobs('c2')).map((j) => j.jobId)).toEqual(['750C']);
  });
});

describeStores('store contract: integrity check', (h) => {
  it('passes a sound store and names each broken rule', async () => {
    const store = await h.open();
    await store.createConnection({ ...SF, id: 'c1' });
    await store.createRun(run('r1', '2026-06-30T08:00:00.000Z'));
    await store.savePlannedWrites('r1', [write('A', 0)]);
    await store.recordChunkOutcomes('r1', 'c1', [{ accountId: 'A', ok: true }]);
    await store.updateRun('r1', { status: 'succeeded', finishedAt: '2026-06-30T08:01:00.000Z' });
    expect(await store.checkIntegrity()).toEqual([]);
    // A write left in flight by a run that stopped, and a later run that succeeded without settling it.
    await store.createRun(run('r2', '2026-06-30T09:00:00.000Z'));
    await store.savePlannedWrites('r2', [write('B', 0, { status: 'sending' })]);
    await store.updateRun('r2', { status: 'interrupted', finishedAt: '2026-06-30T09:01:00.000Z' });
    expect(await store.checkIntegrity()).toEqual([]);
    await store.createRun(run('r3', '2026-06-30T10:00:00.000Z'));
    await store.updateRun('r3', { status: 'succeeded', finishedAt: '2026-06-30T10:01:00.000Z' });
    // Writes of a run that does not exist.
    await store.savePlannedWrites('ghost', [write('C', 0)]);
    expect(await store.checkIntegrity()).toEqual(['writes without their run: 1 row(s)', 'writes still in flight after a later run succeeded: 1 row(s)']);
  });
});
