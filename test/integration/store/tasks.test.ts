import { expect, it } from 'vitest';
import type { PlannedTask } from '../../../src/contract/tasks.ts';
import { describeStores } from '../../support/stores.ts';

const task = (key: string, over: Partial<PlannedTask> = {}): PlannedTask => ({
  key, kind: 'became-key', familyId: 'F1', accountId: 'A1', ownerId: 'U1', subject: 'Acme is now a key account', body: 'What changed: ...', dueDate: '2026-07-07', priority: 'high', detail: null, ...over,
});

describeStores('store contract: tasks', (h) => {
  it('keeps each task under its key: sending, then what the CRM answered; a failed key is taken over by a later run, others never', async () => {
    const store = await h.open();
    await store.createConnection({ id: 'c1', crm: 'salesforce', baseUrl: 'https://x.test' });
    await store.saveTasksSending('c1', 'r1', [task('k1'), task('k2', { kind: 'risk', detail: 'stalled', priority: 'normal' })], '2026-06-30T08:00:00.000Z');
    expect([...(await store.taskStatuses('c1', ['k1', 'k2', 'k3'])).entries()]).toEqual([['k1', 'sending'], ['k2', 'sending']]);
    await store.recordTaskOutcomes('c1', [{ key: 'k1', status: 'created', taskId: '00T1' }, { key: 'k2', status: 'failed', message: 'refused' }], '2026-06-30T08:01:00.000Z');
    await store.saveTasksSending('c1', 'r2', [task('k1', { subject: 'changed' }), task('k2')], '2026-06-30T09:00:00.000Z');
    const first = await store.listRunTasks('r1');
    expect(first.map((t) => [t.key, t.status, t.taskId, t.subject])).toEqual([['k1', 'created', '00T1', 'Acme is now a key account']]);
    const second = await store.listRunTasks('r2');
    expect(second).toEqual([{
      key: 'k2', runId: 'r2', kind: 'risk', familyId: 'F1', accountId: 'A1', ownerId: 'U1', subject: 'Acme is now a key account', body: 'What changed: ...',
      dueDate: '2026-07-07', priority: 'high', detail: 'stalled', status: 'sending', taskId: null, message: null, updatedAt: '2026-06-30T09:00:00.000Z',
    }]);
    await store.recordTaskOutcomes('c1', [{ key: 'k1', status: 'removed' }], '2026-07-01T00:00:00.000Z');
    expect((await store.listRunTasks('r1'))[0]).toMatchObject({ status: 'removed', taskId: '00T1' });
    // Another connection's keys are its own.
    expect((await store.taskStatuses('c2', ['k1'])).size).toBe(0);
    await store.deleteConnection('c1');
    expect(await store.listRunTasks('r1')).toEqual([]);
  });
});
