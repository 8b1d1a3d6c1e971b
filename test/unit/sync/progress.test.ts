import { describe, expect, it } from 'vitest';
import { emptyCounts, type RunCounts } from '../../../src/contract/runs.ts';
import { connectionHealth, progressText } from '../../../src/console/runs-view.ts';
import type { ConnectionRecord, RunPatch, RunRecord } from '../../../src/store/types.ts';
import { PROGRESS_EVERY_MS, ProgressRecorder } from '../../../src/sync/progress.ts';

function fakeStore(fail = false): { updates: RunPatch[]; updateRun(id: string, patch: RunPatch): Promise<RunRecord> } {
  const updates: RunPatch[] = [];
  return {
    updates,
    async updateRun(_id, patch) {
      await new Promise((r) => setTimeout(r, 1));
      if (fail) throw new Error('database is locked');
      updates.push(patch);
      return {} as RunRecord;
    },
  };
}

describe('a running run stores its progress', () => {
  it('at each new stage and at most every PROGRESS_EVERY_MS within one, in order, and nothing after settle', async () => {
    const store = fakeStore();
    let t = 1_800_000_000_000;
    const counts = emptyCounts();
    const rec = new ProgressRecorder(store, 'run-1', counts, () => t);
    rec.note({ stage: 'pull', object: 'accounts', pulled: 200, deleted: 0 });
    t += 100;
    rec.note({ stage: 'pull', object: 'accounts', pulled: 400, deleted: 0 }); // within the interval: not stored
    t += PROGRESS_EVERY_MS;
    rec.note({ stage: 'pull', object: 'contacts', pulled: 1000, deleted: 0 });
    t += 10;
    rec.note({ stage: 'plan', changedAccounts: 30, unchangedAccounts: 170 }); // a new stage: stored at once
    t += 10;
    rec.note({ stage: 'push', sent: 0, total: 30, failed: 0 });
    await rec.settle();
    rec.note({ stage: 'push', sent: 30, total: 30, failed: 0 }); // after settle: the run is finishing
    await new Promise((r) => setTimeout(r, 5));
    expect(store.updates.map((u) => u.counts?.progress && [u.counts.progress.stage, u.counts.progress.object ?? null, u.counts.progress.done, u.counts.progress.total ?? null])).toEqual([
      ['pull', 'accounts', 200, null],
      ['pull', 'contacts', 1000, null],
      ['plan', null, 30, 200],
      ['push', null, 0, 30],
    ]);
    // The live counts object is never given the progress (the final counts carry none).
    expect((counts as RunCounts).progress).toBeUndefined();
  });

  it('never fails the run when the store refuses a progress write', async () => {
    const rec = new ProgressRecorder(fakeStore(true), 'run-1', emptyCounts());
    rec.note({ stage: 'analyze', accounts: 10 });
    await expect(rec.settle()).resolves.toBeUndefined();
  });

  it('is shown on the connection while the run goes, in words', () => {
    const progress = { stage: 'push' as const, done: 400, total: 1200, at: '2026-12-02T10:04:12.000Z' };
    expect(progressText(progress)).toBe('writing: 400 of 1,200 accounts sent (at 10:04:12 UTC)');
    expect(progressText({ stage: 'pull', object: 'contacts', done: 5000, at: '2026-12-02T10:01:00.000Z' })).toBe('pulling contacts: 5,000 read (at 10:01:00 UTC)');
    const run = { id: 'r1', kind: 'sync', dryRun: false, status: 'running', startedAt: '2026-12-02T10:00:00Z', finishedAt: null, counts: { ...emptyCounts(), progress }, apiUsage: {}, error: null } as unknown as RunRecord;
    const c = { id: 'c1', crm: 'salesforce', baseUrl: 'https://x.my.salesforce.com', options: {}, hasTokens: true } as unknown as ConnectionRecord;
    const health = connectionHealth(c, [run], { running: true, nextRun: null, now: new Date('2026-12-02T10:05:00Z'), source: null });
    expect(health.lastRun?.progress).toBe('writing: 400 of 1,200 accounts sent (at 10:04:12 UTC)');
    const done = connectionHealth(c, [{ ...run, status: 'succeeded', finishedAt: '2026-12-02T10:06:00Z' }], { running: false, nextRun: null, now: new Date('2026-12-02T10:07:00Z'), source: null });
    expect(done.lastRun?.progress).toBeUndefined();
  });
});
