import { describe, expect, it } from 'vitest';
import { taskLines } from '../../../src/cli/task-lines.ts';
import type { SyncResult } from '../../../src/sync/types.ts';

const task = { key: 'k1', kind: 'became-key' as const, familyId: 'A1', accountId: 'A1', ownerId: 'U1', subject: 'Acme is now a key account', body: 'b', dueDate: '2026-07-07', priority: 'high' as const, detail: null };

describe('the tasks lines of sync and rollback', () => {
  it('a dry run lists the tasks it would create and those it would not make, with why', () => {
    const lines = taskLines({ run: { dryRun: true } as SyncResult['run'], tasks: { tasks: [task], skipped: [{ key: 'k2', kind: 'risk', familyId: 'B1', reason: 'already-created', message: 'Beta has stalled: made by an earlier run, not made twice' }] }, taskRollback: null });
    expect(lines).toEqual([
      '  tasks for account owners it would create: 1',
      '    A1 (owner U1, due 2026-07-07, became-key): Acme is now a key account',
      '  tasks not made: 1',
      '    Beta has stalled: made by an earlier run, not made twice',
    ]);
  });

  it('a rollback lists the tasks removed and those a person changed', () => {
    const stored = { ...task, runId: 'r1', status: 'created' as const, taskId: '00T1', message: null, updatedAt: '' };
    const lines = taskLines({
      run: { dryRun: false } as SyncResult['run'], tasks: null,
      taskRollback: { remove: [stored], gone: [], conflicts: [{ key: 'k3', taskId: '00T3', accountId: 'C1', subject: 'Gamma is no longer a key account', changed: ['completed'], resolution: 'kept' }] },
    });
    expect(lines).toEqual([
      '  tasks it removed: 1',
      '    00T1 on A1: Acme is now a key account',
      '  task conflicts (changed by a person since the run made them): 1',
      '    00T3 on C1: Gamma is no longer a key account (completed); left in place',
    ]);
  });
});
