import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from './harness.ts';

/** Tasks for company owners, through @hubspot/api-client against the simulator. */

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

const OVERRIDE = { kam_override_tier: 'Key', kam_override_until: '2026-12-31', kam_override_by: 'Dana Lee', kam_override_reason: 'strategic partner' };

async function familyTurnedKey(w: World): Promise<{ rootId: string; companyId: string; ownerId: string | null }> {
  await w.provision();
  const first = await w.sync({ full: true, confirm: true });
  expect(first.run.status).toBe('succeeded');
  expect(first.tasks?.tasks).toEqual([]);
  const root = w.org.accounts.find((a) => a.parentId === null && w.company(a.id)['kam_tier'] === 'Standard' && w.company(a.id)['hubspot_owner_id']);
  if (!root) throw new Error('no Standard family with an owner in the sample org');
  w.sb.hs.update('companies', w.hsId(root.id), OVERRIDE);
  return { rootId: root.id, companyId: w.hsId(root.id), ownerId: w.company(root.id)['hubspot_owner_id'] ?? null };
}

describe('HubSpot end to end: tasks for company owners', () => {
  it('a family becoming Key makes one task associated to the company, owned by its owner; rollback archives it', async () => {
    world = await startWorld({ accounts: 40, options: { searchLookbackMs: 0 } });
    const w = world;
    const { companyId, ownerId } = await familyTurnedKey(w);

    const dry = await w.sync({ dryRun: true });
    expect(dry.tasks?.tasks.map((t) => [t.kind, t.accountId, t.ownerId])).toEqual([['became-key', companyId, ownerId]]);
    expect(dry.estimatedCalls['tasksCreate']).toBe(1);
    expect(w.sb.hs.list('tasks')).toEqual([]);

    const run = await w.sync();
    expect(run.run.status).toBe('succeeded');
    const tasks = w.sb.hs.list('tasks');
    expect(tasks).toHaveLength(1);
    expect(tasks[0]?.companies).toEqual([companyId]);
    expect(tasks[0]?.properties).toMatchObject({ hubspot_owner_id: ownerId, hs_task_status: 'NOT_STARTED', hs_task_priority: 'HIGH', hs_task_type: 'TODO', hs_timestamp: '2026-07-07T12:00:00.000Z' });
    expect(tasks[0]?.properties['hs_task_subject']).toMatch(/ is now a key account$/);
    expect((await w.store.listRunTasks(run.run.id)).map((t) => [t.status, t.taskId])).toEqual([['created', tasks[0]?.id]]);

    expect((await w.sync()).tasks?.tasks).toEqual([]);
    expect(w.sb.hs.list('tasks')).toHaveLength(1);

    const undone = await w.rollback(run.run.id);
    expect(undone.run.status).toBe('succeeded');
    expect(undone.taskRollback?.remove).toHaveLength(1);
    expect(w.sb.hs.list('tasks')).toEqual([]);
  });

  it('a task the owner completed stays when its run is rolled back, reported as a conflict', async () => {
    world = await startWorld({ accounts: 40, options: { searchLookbackMs: 0 } });
    const w = world;
    await familyTurnedKey(w);
    const run = await w.sync();
    const [task] = w.sb.hs.list('tasks');
    if (!task) throw new Error('no task made');
    w.sb.hs.update('tasks', task.id, { hs_task_status: 'COMPLETED' });
    const undone = await w.rollback(run.run.id);
    expect(undone.taskRollback?.conflicts.map((c) => [c.changed, c.resolution])).toEqual([[['completed'], 'kept']]);
    expect(w.sb.hs.list('tasks').map((t) => t.id)).toEqual([task.id]);
    expect((await w.store.listRunTasks(run.run.id)).map((t) => t.status)).toEqual(['kept']);
  });

  it('reminders=quarterly: one task per key family listing its next best offers with their evidence, once per quarter', async () => {
    world = await startWorld({ accounts: 40, options: { searchLookbackMs: 0, reminders: 'quarterly', reminderOffers: 2 } });
    const w = world;
    await w.provision();
    const first = await w.sync({ full: true, confirm: true });
    const reminders = first.tasks?.tasks.filter((t) => t.kind === 'reminder') ?? [];
    expect(reminders.length).toBeGreaterThan(0);
    const made = w.sb.hs.list('tasks');
    expect(made).toHaveLength(reminders.length);
    for (const t of made) {
      expect(t.properties['hs_task_body']).toMatch(/: \d+ of \d+ (similar customers|sister companies in the same family) buy it \(about [A-Z]{3} [\d,]+ a year\)/);
    }
    // The same quarter: no second reminder.
    const again = await w.sync();
    expect(again.tasks?.tasks.filter((t) => t.kind === 'reminder')).toEqual([]);
    expect(again.tasks?.skipped.filter((s) => s.kind === 'reminder').length).toBe(reminders.length);
    // The next quarter: one more each.
    const next = await w.sync({ asOf: '2026-07-01' });
    expect(next.tasks?.tasks.filter((t) => t.kind === 'reminder').length).toBeGreaterThan(0);
  });
});
