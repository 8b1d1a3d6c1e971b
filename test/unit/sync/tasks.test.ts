import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutcomeUnknownError } from '../../../src/contract/errors.ts';
import type { CrmTaskInput, CrmTaskOutcome, TaskProfile } from '../../../src/contract/tasks.ts';
import { splitConnectionOptions } from '../../../src/contract/sync-options.ts';
import { silentLogger } from '../../../src/log.ts';
import type { FamilyInsight } from '../../../src/model/insights.ts';
import { FamilyMatrix } from '../../../src/model/matrix.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import type { FieldValues } from '../../../src/contract/connector.ts';
import type { WritePlan } from '../../../src/sync/planner.ts';
import { pushTasks, taskChanges } from '../../../src/sync/task-run.ts';
import { dedupeTasks, proposeTasks, reminderPeriod, riskIdsOf, taskSettings, type PlannedTask } from '../../../src/sync/tasks.ts';
import type { Connector } from '../../../src/contract/connector.ts';

const family = (id: string, tier: FamilyInsight['tier'] = 'Key'): FamilyInsight => ({
  id, name: id, entityIds: [id], tier, matrix: FamilyMatrix.fromCells([]),
} as unknown as FamilyInsight);

function planOf(accountId: string, previous: FieldValues, fields: FieldValues): WritePlan {
  const changes = Object.keys(fields).map((k) => ({ field: k as keyof FieldValues, from: previous[k as keyof FieldValues] ?? null, to: fields[k as keyof FieldValues] ?? null }));
  return { writes: [{ accountId, fields, previous, changes }], conflicts: [], held: [], truncated: [], summary: { accounts: 1, changedAccounts: 1, unchangedAccounts: 0, changedFields: changes.length, unknownAccounts: [], byField: {} } } as WritePlan;
}

const propose = (options: Record<string, unknown>, before: FieldValues, after: FieldValues, tier: FamilyInsight['tier'] = 'Key', ownerId: string | null = 'U1'): PlannedTask[] =>
  proposeTasks({
    connectionId: 'c1', settings: taskSettings(splitConnectionOptions(options).sync),
    analysis: { families: [family('A1', tier)], currency: 'USD', asOf: '2026-06-30' },
    accounts: [{ id: 'A1', name: 'Acme', ownerId, fields: before }], plan: planOf('A1', before, after), asOf: '2026-06-30',
  });

describe('tasks planned from a run', () => {
  it('becoming Key makes one high-priority task due in a week; the same change keeps its key, a later one gets another', () => {
    const t = propose({}, { kam_tier: 'Develop', kam_updated_at: '2026-06-01T00:00:00.000Z' }, { kam_tier: 'Key' });
    expect(t.map((x) => [x.kind, x.priority, x.dueDate, x.ownerId, x.subject])).toEqual([['became-key', 'high', '2026-07-07', 'U1', 'Acme is now a key account']]);
    expect(t[0]?.body).toMatch(/^What changed: Kamflow now ranks Acme .* as Key; it was Develop\./);
    expect(propose({}, { kam_tier: 'Develop', kam_updated_at: '2026-06-01T00:00:00.000Z' }, { kam_tier: 'Key' })[0]?.key).toBe(t[0]?.key);
    expect(propose({}, { kam_tier: 'Develop', kam_updated_at: '2026-09-01T00:00:00.000Z' }, { kam_tier: 'Key' })[0]?.key).not.toBe(t[0]?.key);
  });

  it('dropping out of Key makes a task; the first analysis (no tier yet) makes none', () => {
    expect(propose({}, { kam_tier: 'Key' }, { kam_tier: 'Maintain' }, 'Maintain').map((x) => [x.kind, x.detail])).toEqual([['left-key', 'Maintain']]);
    expect(propose({}, {}, { kam_tier: 'Key' })).toEqual([]);
    expect(propose({}, { kam_tier: '' }, { kam_tier: 'Key' })).toEqual([]);
  });

  it('a new risk makes a task only with tasks=all, and only the four risks reps act on', () => {
    const before = { kam_tier: 'Key', kam_risks: 'declining: revenue -20.0% against the prior 12 months' };
    const after = { kam_risks: 'concentration: 30.0% of all revenue\ndeclining: revenue -25.0% against the prior 12 months\nsingle-threaded: 1 active contact in the family' };
    expect(propose({}, before, after)).toEqual([]);
    const all = propose({ tasks: 'all' }, before, after);
    expect(all.map((x) => [x.kind, x.detail, x.subject])).toEqual([['risk', 'single-threaded', 'Acme relies on too few contacts']]);
    expect(all[0]?.body).toContain('What changed: Kamflow sees a new risk on Acme: 1 active contact in the family.');
    expect(propose({ tasks: 'off' }, { kam_tier: 'Develop' }, { kam_tier: 'Key' })).toEqual([]);
  });

  it('reads risk ids from kam_risks lines and names reminder periods', () => {
    expect([...riskIdsOf('declining: x\nstalled: y')]).toEqual(['declining', 'stalled']);
    expect(riskIdsOf(null).size).toBe(0);
    expect(reminderPeriod('monthly', '2026-06-30', null)).toBe('2026-06');
    expect(reminderPeriod('quarterly', '2026-06-30', null)).toBe('2026-Q2');
    expect(reminderPeriod('quarterly', '2026-06-30', '2026-05-01')).toBe('Q2026-05-01');
  });

  it('dedupe: created or in-flight keys are skipped and shown; a refused one is tried again; no owner, no task', () => {
    const [a] = propose({}, { kam_tier: 'Develop' }, { kam_tier: 'Key' });
    if (!a) throw new Error('no task');
    const b = { ...a, key: 'other' };
    const c = { ...a, key: 'third' };
    const d = { ...a, key: 'fourth', ownerId: '' };
    const plan = dedupeTasks([a, b, c, d, a], new Map([[a.key, 'created'], [b.key, 'unknown'], [c.key, 'failed']] as const));
    expect(plan.tasks.map((t) => t.key)).toEqual(['third']);
    expect(plan.skipped.map((s) => [s.key, s.reason])).toEqual([[a.key, 'already-created'], ['other', 'in-flight'], ['fourth', 'no-owner']]);
  });

  it('the options are validated: a bad value is a problem naming the option, and is left unset', () => {
    const { sync, problems } = splitConnectionOptions({ tasks: 'sometimes', reminders: 'yearly', reminderOffers: 0, taskDueDays: 7 });
    expect(problems).toEqual(['tasks: expected key, all, off', 'reminders: expected off, monthly, quarterly', 'reminderOffers: expected 1 to 10']);
    expect(taskSettings(sync)).toEqual({ changes: 'key', reminders: 'off', reminderOffers: 3, dueDays: 7 });
  });

  it('a task changed by a person is told apart from what Kamflow sent', () => {
    const sent = { subject: 'S', body: 'line one\n\nline two', ownerId: 'U1', dueDate: '2026-07-07' };
    const same = { taskId: 't', exists: true, subject: 'S', body: '<p>line one</p><p>line two</p>', ownerId: 'U1', dueDate: '2026-07-07', completed: false };
    expect(taskChanges(sent, same)).toEqual([]);
    expect(taskChanges(sent, { ...same, completed: true, ownerId: 'U2' })).toEqual(['completed', 'owner']);
  });
});

describe('creating tasks', () => {
  let store: SqliteStore;
  beforeEach(async () => {
    store = new SqliteStore({ path: ':memory:' });
    await store.createConnection({ id: 'c1', crm: 'salesforce', baseUrl: 'https://x.test' });
    await store.createRun({ id: 'r1', connectionId: 'c1', kind: 'sync', mode: 'full', dryRun: false, asOf: '2026-06-30', startedAt: '2026-06-30T00:00:00.000Z', rollbackOf: null });
    await store.createRun({ id: 'r2', connectionId: 'c1', kind: 'sync', mode: 'full', dryRun: false, asOf: '2026-06-30', startedAt: '2026-06-30T01:00:00.000Z', rollbackOf: null });
  });
  afterEach(() => store.close());

  const profile: TaskProfile = { createBatchMax: 2, createCallName: 'tasksCreate', removeBatchMax: 2, readCallName: 'q', removeCallName: 'd' };
  function connector(answer: (tasks: readonly CrmTaskInput[]) => Promise<CrmTaskOutcome[]>): Connector & { sent: string[][] } {
    const sent: string[][] = [];
    return {
      sent, taskProfile: profile,
      createTasks: async (tasks: readonly CrmTaskInput[]) => {
        sent.push(tasks.map((t) => t.key));
        return answer(tasks);
      },
      readTasks: async () => [], removeTasks: async () => [],
    } as unknown as Connector & { sent: string[][] };
  }
  const tasks = (n: number): PlannedTask[] => Array.from({ length: n }, (_, i) => ({
    key: `k${i}`, kind: 'became-key', familyId: `F${i}`, accountId: `A${i}`, ownerId: 'U1', subject: `S${i}`, body: 'B', dueDate: '2026-07-07', priority: 'high', detail: null,
  }));
  const ctx = (c: Connector, runId: string) => ({ store, connector: c, connectionId: 'c1', runId, logger: silentLogger, now: () => new Date('2026-06-30T00:00:00Z') });

  it('a chunk whose answer was lost stays unknown and is never sent again; the chunks after it go on', async () => {
    let call = 0;
    const c = connector(async (batch) => {
      call++;
      if (call === 1) throw new OutcomeUnknownError('socket hang up');
      return batch.map((t) => ({ key: t.key, ok: true, taskId: `T-${t.key}` }));
    });
    const done = await pushTasks(ctx(c, 'r1'), { tasks: tasks(3), skipped: [] });
    expect(done).toEqual({ created: 1, failed: 0, unconfirmed: 2 });
    expect(c.sent).toEqual([['k0', 'k1'], ['k2']]);
    const statuses = await store.taskStatuses('c1', ['k0', 'k1', 'k2']);
    expect([...statuses.entries()]).toEqual([['k0', 'unknown'], ['k1', 'unknown'], ['k2', 'created']]);
    expect((await store.listRunIssues('r1')).map((i) => i.kind)).toEqual(['task-unconfirmed', 'task-unconfirmed']);
    // The next run plans the same tasks: the store's keys leave nothing to send.
    const again = dedupeTasks(tasks(3), statuses);
    expect(again.tasks).toEqual([]);
  });

  it('a refused task is failed, planned again and taken over by the next run', async () => {
    const refuse = connector(async (batch) => batch.map((t) => ({ key: t.key, ok: false, errorKind: 'bad-data', code: 'INVALID_CROSS_REFERENCE_KEY', message: 'owner cannot be blank' })));
    expect(await pushTasks(ctx(refuse, 'r1'), { tasks: tasks(1), skipped: [] })).toEqual({ created: 0, failed: 1, unconfirmed: 0 });
    const known = await store.taskStatuses('c1', ['k0']);
    expect(known.get('k0')).toBe('failed');
    const retry = dedupeTasks(tasks(1), known);
    const accept = connector(async (batch) => batch.map((t) => ({ key: t.key, ok: true, taskId: 'T1' })));
    expect(await pushTasks(ctx(accept, 'r2'), retry)).toEqual({ created: 1, failed: 0, unconfirmed: 0 });
    expect((await store.listRunTasks('r2')).map((t) => [t.key, t.status, t.taskId])).toEqual([['k0', 'created', 'T1']]);
    expect(await store.listRunTasks('r1')).toEqual([]);
  });
});
