import { expect, it } from 'vitest';
import { loadMirrorKind } from '../../../src/store/read-mirror.ts';
import type { NewRun, StoredWrite } from '../../../src/store/types.ts';
import { describeStores } from '../../support/stores.ts';
import { account, accountsPage } from './records.ts';

const EMPTY_COUNTS = { pulled: {}, deleted: 0, swept: 0, pullIssues: 0, rejected: 0, accounts: 0, plannedAccounts: 0, plannedFields: 0, written: 0, failed: 0, unchangedAccounts: 0, conflicts: 0, quarantined: 0, unconfirmed: 0, truncated: 0 };

function run(id: string, startedAt: string, over: Partial<NewRun> = {}): NewRun {
  return { id, connectionId: 'c1', kind: 'sync', mode: 'incremental', dryRun: false, asOf: '2026-06-30', startedAt, ...over };
}

function write(accountId: string, chunk: number, over: Partial<StoredWrite> = {}): StoredWrite {
  return { accountId, chunk, fields: { kam_tier: 'Key', kam_score: 71.5 }, previous: { kam_tier: null, kam_score: 12 }, status: 'pending', errorKind: null, code: null, message: null, ...over };
}

describeStores('store contract: runs', (h) => {
  it('creates a run as running with empty counts, patches it, and reads it back', async () => {
    const store = await h.open();
    const created = await store.createRun(run('r1', '2026-06-30T08:00:00.000Z', { rollbackOf: null }));
    expect(created).toEqual({
      id: 'r1', connectionId: 'c1', kind: 'sync', status: 'running', mode: 'incremental', dryRun: false, asOf: '2026-06-30',
      startedAt: '2026-06-30T08:00:00.000Z', finishedAt: null, counts: EMPTY_COUNTS, apiUsage: {}, error: null, rollbackOf: null,
    });
    const counts = { ...EMPTY_COUNTS, pulled: { accounts: 3, contacts: 7 }, written: 2, accounts: 3 };
    const done = await store.updateRun('r1', { status: 'succeeded', finishedAt: '2026-06-30T08:01:00.000Z', counts, apiUsage: { rest: 4, bulk: 1 }, mode: 'full' });
    expect(done).toEqual({ ...created, status: 'succeeded', mode: 'full', finishedAt: '2026-06-30T08:01:00.000Z', counts, apiUsage: { rest: 4, bulk: 1 } });
    expect(await store.getRun('r1')).toEqual(done);
    expect(await store.updateRun('r1', { error: 'boom', status: 'failed' })).toMatchObject({ status: 'failed', error: 'boom', counts, mode: 'full' });
    expect(await store.getRun('nope')).toBeNull();
    await expect(store.updateRun('nope', { status: 'failed' })).rejects.toThrow('no run with id nope');
    const rollback = await store.createRun(run('r2', '2026-06-30T09:00:00.000Z', { kind: 'rollback', mode: null, dryRun: true, asOf: null, rollbackOf: 'r1' }));
    expect(rollback).toMatchObject({ kind: 'rollback', mode: null, dryRun: true, asOf: null, rollbackOf: 'r1' });
  });

  it('lists the newest first (ties in the order they were created, newest first), per connection and up to a limit', async () => {
    const store = await h.open();
    await store.createRun(run('r-b', '2026-06-30T08:00:00.000Z'));
    await store.createRun(run('r-a', '2026-06-30T08:00:00.000Z'));
    await store.createRun(run('r-c', '2026-06-30T09:00:00.000Z'));
    await store.createRun(run('r-x', '2026-06-30T10:00:00.000Z', { connectionId: 'c2' }));
    expect((await store.listRuns({})).map((r) => r.id)).toEqual(['r-x', 'r-c', 'r-a', 'r-b']);
    expect((await store.listRuns({ connectionId: 'c1' })).map((r) => r.id)).toEqual(['r-c', 'r-a', 'r-b']);
    expect((await store.listRuns({ connectionId: 'c1', limit: 2 })).map((r) => r.id)).toEqual(['r-c', 'r-a']);
    expect(await store.listRuns({ connectionId: 'c9' })).toEqual([]);
  });

  it('knows whether and when a connection last pulled everything, from its successful real syncs only', async () => {
    const store = await h.open();
    expect(await store.hasSucceededRun('c1')).toBe(false);
    expect(await store.lastFullPullAt('c1')).toBeNull();
    const finish = (id: string, status: 'succeeded' | 'failed') => store.updateRun(id, { status, finishedAt: '2026-07-01T00:00:00.000Z' });
    // Neither a dry run, a rollback, a failure nor another connection counts.
    await store.createRun(run('dry', '2026-06-01T00:00:00.000Z', { dryRun: true, mode: 'full' }));
    await finish('dry', 'succeeded');
    await store.createRun(run('rb', '2026-06-02T00:00:00.000Z', { kind: 'rollback', mode: 'full' }));
    await finish('rb', 'succeeded');
    await store.createRun(run('bad', '2026-06-03T00:00:00.000Z', { mode: 'full' }));
    await finish('bad', 'failed');
    await store.createRun(run('other', '2026-06-04T00:00:00.000Z', { connectionId: 'c2', mode: 'full' }));
    await finish('other', 'succeeded');
    expect(await store.hasSucceededRun('c1')).toBe(false);
    expect(await store.lastFullPullAt('c1')).toBeNull();
    // Only incremental successes: the first one had no cursors, so it pulled everything.
    await store.createRun(run('inc1', '2026-06-05T00:00:00.000Z'));
    await finish('inc1', 'succeeded');
    await store.createRun(run('inc2', '2026-06-06T00:00:00.000Z'));
    await finish('inc2', 'succeeded');
    expect(await store.hasSucceededRun('c1')).toBe(true);
    expect(await store.lastFullPullAt('c1')).toBe('2026-06-05T00:00:00.000Z');
    // Then the latest successful full sync.
    for (const [id, at] of [['full1', '2026-06-07T00:00:00.000Z'], ['full2', '2026-06-09T00:00:00.000Z']] as const) {
      await store.createRun(run(id, at, { mode: 'full' }));
      await finish(id, 'succeeded');
    }
    await store.createRun(run('inc3', '2026-06-10T00:00:00.000Z'));
    await finish('inc3', 'succeeded');
    expect(await store.lastFullPullAt('c1')).toBe('2026-06-09T00:00:00.000Z');
  });

  it('marks the connection\'s runs still running as interrupted, and only those', async () => {
    const store = await h.open();
    await store.createRun(run('r1', '2026-06-30T08:00:00.000Z'));
    await store.createRun(run('r2', '2026-06-30T08:05:00.000Z'));
    await store.createRun(run('r3', '2026-06-30T08:06:00.000Z'));
    await store.updateRun('r3', { status: 'succeeded', finishedAt: '2026-06-30T08:07:00.000Z' });
    await store.createRun(run('r4', '2026-06-30T08:00:00.000Z', { connectionId: 'c2' }));
    expect(await store.markRunningAsInterrupted('c1', '2026-06-30T09:00:00.000Z')).toBe(2);
    expect(await store.getRun('r1')).toMatchObject({ status: 'interrupted', finishedAt: '2026-06-30T09:00:00.000Z', error: 'the process running it stopped before it finished' });
    expect(await store.getRun('r3')).toMatchObject({ status: 'succeeded', finishedAt: '2026-06-30T08:07:00.000Z', error: null });
    expect((await store.getRun('r4'))?.status).toBe('running');
    expect(await store.markRunningAsInterrupted('c1', '2026-06-30T09:00:00.000Z')).toBe(0);
  });

  it('keeps run issues in the order they were added, across calls', async () => {
    const store = await h.open();
    await store.addRunIssues('r1', [
      { stage: 'pull', object: 'contacts', recordId: 'K9', kind: 'bad-record', message: 'email is not a string' },
      { stage: 'snapshot', object: 'lineItem', recordId: null, kind: 'rejected', message: 'no opportunity' },
    ]);
    await store.addRunIssues('r2', [{ stage: 'analyze', object: null, recordId: null, kind: 'config', message: 'x' }]);
    await store.addRunIssues('r1', [{ stage: 'analyze', object: null, recordId: 'A1', kind: 'non-finite', message: 'revenue sum is not finite' }]);
    await store.addRunIssues('r1', []);
    expect(await store.listRunIssues('r1')).toEqual([
      { stage: 'pull', object: 'contacts', recordId: 'K9', kind: 'bad-record', message: 'email is not a string' },
      { stage: 'snapshot', object: 'lineItem', recordId: null, kind: 'rejected', message: 'no opportunity' },
      { stage: 'analyze', object: null, recordId: 'A1', kind: 'non-finite', message: 'revenue sum is not finite' },
    ]);
    expect(await store.listRunIssues('r3')).toEqual([]);
  });
});

describeStores('store contract: planned writes and their outcomes', (h) => {
  it('lists planned writes by chunk then account, and moves a chunk pending → sending → pending only from the expected state', async () => {
    const store = await h.open();
    await store.savePlannedWrites('r1', [write('B', 1), write('A', 1), write('C', 0), write('D', 2, { status: 'ok' })]);
    await store.savePlannedWrites('r1', []);
    expect((await store.listWrites('r1')).map((w) => [w.chunk, w.accountId, w.status])).toEqual([[0, 'C', 'pending'], [1, 'A', 'pending'], [1, 'B', 'pending'], [2, 'D', 'ok']]);
    expect((await store.listWrites('r1'))[0]).toEqual(write('C', 0));
    await store.markChunkSending('r1', 1);
    await store.markChunkSending('r1', 2);
    expect((await store.listWrites('r1')).map((w) => w.status)).toEqual(['pending', 'sending', 'sending', 'ok']);
    await store.markChunkPending('r1', 0);
    await store.markChunkPending('r1', 1);
    expect((await store.listWrites('r1')).map((w) => w.status)).toEqual(['pending', 'pending', 'pending', 'ok']);
    expect(await store.listWrites('r2')).toEqual([]);
  });

  it('records a chunk\'s outcomes and copies the written values into the mirrored accounts that succeeded', async () => {
    const store = await h.open();
    await store.checkpointPage(accountsPage([account('A', { kam_tier: 'Standard', kam_note: 'kept' }), account('B', { kam_tier: 'Standard' })]));
    await store.savePlannedWrites('r1', [write('A', 0), write('B', 0), write('N', 0), write('Z', 1)]);
    await store.markChunkSending('r1', 0);
    await store.recordChunkOutcomes('r1', 'c1', [
      { accountId: 'A', ok: true },
      { accountId: 'B', ok: false, errorKind: 'bad-data', code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Tier is locked' },
      // Planned for an account the mirror does not hold: its status moves, nothing else.
      { accountId: 'N', ok: false },
      // Never planned in this run: ignored.
      { accountId: 'Q', ok: true },
    ]);
    expect((await store.listWrites('r1')).map((w) => [w.accountId, w.status, w.errorKind, w.code, w.message])).toEqual([
      ['A', 'ok', null, null, null],
      ['B', 'failed', 'bad-data', 'FIELD_CUSTOM_VALIDATION_EXCEPTION', 'Tier is locked'],
      ['N', 'failed', 'transient', null, null],
      ['Z', 'pending', null, null, null],
    ]);
    expect(await loadMirrorKind(store, 'c1', 'accounts')).toEqual([
      account('A', { kam_tier: 'Key', kam_note: 'kept', kam_score: 71.5 }),
      account('B', { kam_tier: 'Standard' }),
    ]);
    // Another connection's mirror with the same account id is not touched.
    expect(await loadMirrorKind(store, 'c2', 'accounts')).toEqual([]);
  });

  it('applies an account\'s outcomes in order: the last sets its status, a success copies its values', async () => {
    const store = await h.open();
    await store.checkpointPage(accountsPage([account('A'), account('B')]));
    await store.savePlannedWrites('r1', [write('A', 0), write('B', 0)]);
    await store.recordChunkOutcomes('r1', 'c1', [
      { accountId: 'A', ok: false, code: 'UNABLE_TO_LOCK_ROW' },
      { accountId: 'A', ok: true },
      { accountId: 'B', ok: true },
      { accountId: 'B', ok: false, errorKind: 'config', message: 'no access' },
    ]);
    expect((await store.listWrites('r1')).map((w) => [w.accountId, w.status, w.errorKind, w.code, w.message])).toEqual([
      ['A', 'ok', null, null, null],
      ['B', 'failed', 'config', null, 'no access'],
    ]);
    expect((await loadMirrorKind(store, 'c1', 'accounts')).map((a) => (a as { fields: unknown }).fields)).toEqual([
      { kam_tier: 'Key', kam_score: 71.5 },
      { kam_tier: 'Key', kam_score: 71.5 },
    ]);
  });
});
