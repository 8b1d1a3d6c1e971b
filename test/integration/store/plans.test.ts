import { expect, it } from 'vitest';
import type { NewRun, NewStoredPlan } from '../../../src/store/types.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import { describeStores } from '../../support/stores.ts';

function run(id: string, startedAt: string, over: Partial<NewRun> = {}): NewRun {
  return { id, connectionId: 'c1', kind: 'sync', mode: 'incremental', dryRun: false, asOf: '2026-06-30', startedAt, ...over };
}

function plan(runId: string, createdAt: string, over: Partial<NewStoredPlan> = {}): NewStoredPlan {
  return {
    runId, connectionId: 'c1', kind: 'sync', createdAt, reasons: ['first-plan'], accounts: 3, estimatedCalls: { 'sobjects/composite': 1 },
    writes: [
      { accountId: 'B2', name: 'Beta "GmbH"', changes: [{ field: 'kam_tier', from: null, to: 'Key' }, { field: 'kam_score', from: 12, to: 71.5 }] },
      { accountId: 'A1', name: null, changes: [{ field: 'kam_key_account', from: false, to: true }] },
    ],
    ...over,
  };
}

describeStores('store contract: plans', (h) => {
  it('keeps a plan with its exact writes and reads it back in account order', async () => {
    const store = await h.open();
    await store.createRun(run('r1', '2026-06-30T08:00:00.000Z'));
    expect(await store.getPlan('r1')).toBeNull();
    await store.savePlan(plan('r1', '2026-06-30T08:01:00.000Z'));
    const got = await store.getPlan('r1');
    expect(got).toEqual({
      ...plan('r1', '2026-06-30T08:01:00.000Z'),
      writes: [plan('r1', '').writes[1], plan('r1', '').writes[0]],
      approvedAt: null, approvedByRun: null, approvedBy: null,
    });
    // Saved again (a rerun of the same run id), it replaces the first.
    await store.savePlan(plan('r1', '2026-06-30T08:02:00.000Z', { writes: [], reasons: [] }));
    expect(await store.getPlan('r1')).toMatchObject({ writes: [], reasons: [], createdAt: '2026-06-30T08:02:00.000Z' });
  });

  it('finds the newest open plan per connection and kind, and approves a plan once only', async () => {
    const store = await h.open();
    expect(await store.latestOpenPlan('c1')).toBeNull();
    await store.savePlan(plan('p-old', '2026-06-30T08:00:00.000Z'));
    await store.savePlan(plan('p-new', '2026-06-30T09:00:00.000Z', { reasons: ['over-gate', 'overwrites-edits'] }));
    await store.savePlan(plan('p-rb', '2026-06-30T10:00:00.000Z', { kind: 'rollback', reasons: [] }));
    await store.savePlan(plan('p-other', '2026-06-30T11:00:00.000Z', { connectionId: 'c2' }));
    expect((await store.latestOpenPlan('c1'))?.runId).toBe('p-new');
    expect((await store.latestOpenPlan('c1', 'rollback'))?.runId).toBe('p-rb');
    expect(await store.approvePlan('p-new', 'r-write', '2026-06-30T12:00:00.000Z', 'console:ada')).toBe(true);
    expect(await store.approvePlan('p-new', 'r-again', '2026-06-30T12:30:00.000Z', 'cli:bob')).toBe(false);
    expect(await store.approvePlan('nope', 'r-x', '2026-06-30T12:30:00.000Z')).toBe(false);
    expect(await store.getPlan('p-new')).toMatchObject({ approvedAt: '2026-06-30T12:00:00.000Z', approvedByRun: 'r-write', approvedBy: 'console:ada', reasons: ['over-gate', 'overwrites-edits'] });
    // Approved without a name (an older caller), the approver stays unknown.
    expect(await store.approvePlan('p-rb', 'r-rb', '2026-06-30T12:40:00.000Z')).toBe(true);
    expect(await store.getPlan('p-rb')).toMatchObject({ approvedByRun: 'r-rb', approvedBy: null });
    expect((await store.latestOpenPlan('c1'))?.runId).toBe('p-old');
  });

  it('knows whether anything was written under review: an approved sync plan, or a real sync that wrote', async () => {
    const store = await h.open();
    expect(await store.hasWrittenPlan('c1')).toBe(false);
    // A rollback plan approved, a dry run that "wrote", a sync that wrote nothing: none counts.
    await store.savePlan(plan('rb', '2026-06-30T08:00:00.000Z', { kind: 'rollback' }));
    await store.approvePlan('rb', 'x', '2026-06-30T08:00:00.000Z');
    const counts = (written: number) => ({ pulled: {}, deleted: 0, swept: 0, pullIssues: 0, rejected: 0, accounts: 3, plannedAccounts: 0, plannedFields: 0, written, failed: 0, unchangedAccounts: 0, conflicts: 0, quarantined: 0, unconfirmed: 0, truncated: 0 });
    await store.createRun(run('dry', '2026-06-30T08:00:00.000Z', { dryRun: true }));
    await store.updateRun('dry', { status: 'succeeded', counts: counts(2) });
    await store.createRun(run('none', '2026-06-30T08:10:00.000Z'));
    await store.updateRun('none', { status: 'succeeded', counts: counts(0) });
    await store.createRun(run('c2run', '2026-06-30T08:20:00.000Z', { connectionId: 'c2' }));
    await store.updateRun('c2run', { status: 'succeeded', counts: counts(5) });
    expect(await store.hasWrittenPlan('c1')).toBe(false);
    expect(await store.hasWrittenPlan('c2')).toBe(true);
    await store.savePlan(plan('p1', '2026-06-30T09:00:00.000Z'));
    expect(await store.hasWrittenPlan('c1')).toBe(false);
    await store.approvePlan('p1', 'w1', '2026-06-30T09:05:00.000Z');
    expect(await store.hasWrittenPlan('c1')).toBe(true);
  });

  it('reads a run stored as awaiting-confirmation (before the rename) as awaiting-approval', async () => {
    const store = await h.open();
    await store.createRun(run('old', '2026-06-30T08:00:00.000Z'));
    if (store instanceof SqliteStore) store.db.prepare("UPDATE runs SET status = 'awaiting-confirmation' WHERE id = 'old'").run();
    else await (store as unknown as { db: { query: (t: string) => Promise<unknown> } }).db.query("UPDATE runs SET status = 'awaiting-confirmation' WHERE id = 'old'");
    expect((await store.getRun('old'))?.status).toBe('awaiting-approval');
    expect((await store.listRuns({ connectionId: 'c1' })).map((r) => r.status)).toEqual(['awaiting-approval']);
  });
});
