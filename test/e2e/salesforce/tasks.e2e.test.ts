import { afterEach, describe, expect, it } from 'vitest';
import { approvePlan, rollbackRun } from '../../../src/sync/pipeline.ts';
import { sampleOrg, startWorld, type World } from './harness.ts';

/** Tasks for account owners, through the Salesforce connector against the simulator. */

const SEED = sampleOrg(40);
let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

const OVERRIDE = { KAM_Override_Tier__c: 'Key', KAM_Override_Until__c: '2026-12-31', KAM_Override_By__c: 'Dana Lee', KAM_Override_Reason__c: 'strategic partner' };

function tasksOf(w: World): Record<string, unknown>[] {
  return w.sb.sf.query('SELECT Id, WhatId, OwnerId, Subject, Description, Status, Priority, ActivityDate, IsClosed FROM Task');
}

/** A Standard family's root after the first (baseline) run, turned Key by a manager's override. */
async function familyTurnedKey(w: World): Promise<{ rootId: string; ownerId: string }> {
  await (await w.connector()).provision();
  // The connection's first plan waits for approval; the test approves it with --confirm.
  const first = await w.sync({ confirm: true });
  expect(first.run.status).toBe('succeeded');
  // The first analysis of every family is its baseline: no task.
  expect(first.tasks?.tasks).toEqual([]);
  expect(tasksOf(w)).toEqual([]);
  const roots = w.sb.sf.query("SELECT Id, OwnerId FROM Account WHERE ParentId = null AND KAM_Tier__c = 'Standard' LIMIT 1");
  const rootId = String(roots[0]?.['Id']);
  w.sb.clock.advance(60_000);
  w.sb.sf.update('Account', rootId, OVERRIDE);
  return { rootId, ownerId: String(roots[0]?.['OwnerId']) };
}

describe('Salesforce end to end: tasks for account owners', () => {
  it('a family becoming Key makes one Task for its owner: shown by the dry run, created once, counted in the calls', async () => {
    world = await startWorld(SEED);
    const w = world;
    const { rootId, ownerId } = await familyTurnedKey(w);

    const dry = await w.sync({ dryRun: true });
    expect(dry.tasks?.tasks.map((t) => [t.kind, t.accountId, t.ownerId])).toEqual([['became-key', rootId, ownerId]]);
    expect(dry.estimatedCalls['tasksCreate']).toBe(1);
    expect(dry.message).toContain('1 task(s) would be created');
    expect(tasksOf(w)).toEqual([]);

    const run = await w.sync();
    expect(run.run.status).toBe('succeeded');
    const made = tasksOf(w);
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ WhatId: rootId, OwnerId: ownerId, Status: 'Not Started', Priority: 'High', ActivityDate: '2026-07-07', IsClosed: false });
    expect(String(made[0]?.['Subject'])).toMatch(/ is now a key account$/);
    expect(String(made[0]?.['Description'])).toContain('What to do:');
    expect(String(made[0]?.['Description'])).toContain(`Kamflow reference: ${run.tasks?.tasks[0]?.key}`);
    expect(run.run.apiUsage['tasksCreate']).toBe(1);

    // Nothing changed since: no task, and none planned.
    const again = await w.sync();
    expect(again.tasks?.tasks).toEqual([]);
    expect(tasksOf(w)).toHaveLength(1);
  });

  it('a plan that waits for approval makes no task; approving it makes the task with the reviewed writes, once', async () => {
    world = await startWorld(SEED);
    const w = world;
    const { rootId, ownerId } = await familyTurnedKey(w);
    // A safety gate of 0 holds any plan that changes a tier: it waits, listing the task.
    const held = await w.sync({ safetyGateShare: 0 });
    expect(held.run.status).toBe('awaiting-approval');
    expect(held.tasks?.tasks.map((t) => [t.kind, t.accountId])).toEqual([['became-key', rootId]]);
    expect(tasksOf(w)).toEqual([]);

    const approved = await approvePlan(w.deps, { planRunId: held.run.id });
    expect(approved.run.status).toBe('succeeded');
    const made = tasksOf(w);
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ WhatId: rootId, OwnerId: ownerId });
    expect(approved.run.apiUsage['tasksCreate']).toBe(1);
    // Written and tasked: the next run plans neither again.
    const again = await w.sync();
    expect(again.run.counts.written).toBe(0);
    expect(again.tasks?.tasks).toEqual([]);
    expect(tasksOf(w)).toHaveLength(1);
  });

  it('the same change planned again (its field write refused) is never a second task', async () => {
    world = await startWorld(SEED);
    const w = world;
    const { rootId } = await familyTurnedKey(w);
    w.sb.setFaults({ salesforce: { lockedRecords: [rootId] } });
    const first = await w.sync();
    expect(first.run.counts.failed).toBeGreaterThan(0);
    expect(tasksOf(w)).toHaveLength(1);
    const second = await w.sync();
    expect(second.tasks?.tasks).toEqual([]);
    expect(second.tasks?.skipped.map((s) => [s.kind, s.reason])).toEqual([['became-key', 'already-created']]);
    expect(tasksOf(w)).toHaveLength(1);
  });

  it('rollback deletes the tasks the run made, and keeps (as a conflict) one a person completed', async () => {
    world = await startWorld(SEED);
    const w = world;
    await familyTurnedKey(w);
    const made = await w.sync();
    expect(tasksOf(w)).toHaveLength(1);
    const undone = await w.rollback(made.run.id);
    expect(undone.run.status).toBe('succeeded');
    expect(undone.taskRollback?.remove).toHaveLength(1);
    expect(tasksOf(w)).toEqual([]);
    expect((await w.store.listRunTasks(made.run.id)).map((t) => t.status)).toEqual(['removed']);

    // The override lapses: the family stops being Key, a second task; its owner completes it.
    const lapsed = await w.sync({ asOf: '2027-01-01' });
    const left = lapsed.tasks?.tasks.find((t) => t.kind === 'left-key');
    expect(left).toBeDefined();
    const task = tasksOf(w).find((t) => String(t['Subject']).endsWith('is no longer a key account'));
    if (!task) throw new Error('no left-key task in the org');
    w.sb.sf.update('Task', String(task['Id']), { Status: 'Completed' });
    const kept = await rollbackRun(w.deps, { runId: lapsed.run.id });
    expect(kept.taskRollback?.conflicts.map((c) => [c.changed, c.resolution])).toEqual([[['completed'], 'kept']]);
    expect(tasksOf(w).map((t) => t['Id'])).toContain(task['Id']);
    expect((await w.store.listRunIssues(kept.run.id)).filter((i) => i.kind === 'task-conflict')).toHaveLength(1);
  });

  it('no task when the connection turns tasks off', async () => {
    world = await startWorld(SEED, {}, { tasks: 'off' });
    const w = world;
    await familyTurnedKey(w);
    const run = await w.sync();
    expect(run.tasks?.tasks).toEqual([]);
    expect(tasksOf(w)).toEqual([]);
  });
});
