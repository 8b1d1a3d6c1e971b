import { afterEach, describe, expect, it } from 'vitest';
import type { RunProgress } from '../../../src/contract/runs.ts';
import { sampleOrg, startWorld, type World } from './harness.ts';

/** A running sync stores its stage and progress in its run, for the console of any process; a finished run carries none. */

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

describe('Salesforce end to end: progress of a running sync', () => {
  it('is stored from the first pull to the writes, and gone from the finished run', async () => {
    world = await startWorld(sampleOrg(40));
    const w = world;
    await (await w.connector()).provision();
    const seen: RunProgress[] = [];
    const update = w.store.updateRun.bind(w.store);
    w.store.updateRun = async (id, patch) => {
      if (patch.counts?.progress) {
        seen.push(patch.counts.progress);
        // While it goes, the stored run reads back with its progress.
        const stored = await update(id, patch);
        expect(stored.status).toBe('running');
        expect(stored.counts.progress).toEqual(patch.counts.progress);
        return stored;
      }
      return update(id, patch);
    };
    const result = await w.sync({ confirm: true });
    expect(result.run.status).toBe('succeeded');
    const stages = [...new Set(seen.map((p) => p.stage))];
    expect(stages[0]).toBe('pull');
    expect(stages).toContain('plan');
    expect(stages).toContain('push');
    expect(seen.find((p) => p.stage === 'plan')?.total).toBe(result.run.counts.accounts);
    expect((await w.store.getRun(result.run.id))?.counts.progress).toBeUndefined();
  });
});
