import { afterEach, describe, expect, it } from 'vitest';
import { PLANTED } from '../../../src/sandbox/generate.ts';
import { kamOf, sampleOrg, startWorld, writeCalls, type World } from './harness.ts';

/**
 * The README's order of commands, `sync --dry-run` then `sync`, and the scheduled runs after
 * it: every incremental query after a full pull must be one the org accepts (the simulator
 * refuses a malformed ID literal such as `Id > ''` as Salesforce does).
 */

const SEED = sampleOrg(40);
let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('Salesforce end to end: incremental runs after a full pull', () => {
  it('a dry run, a sync, and the runs after it all succeed without --full', async () => {
    const w = await startWorld(SEED);
    world = w;
    await (await w.connector()).provision();

    const dry = await w.sync({ dryRun: true });
    expect(dry.run).toMatchObject({ status: 'succeeded', error: null });
    expect(dry.plan?.writes.length).toBe(40);

    const sync = await w.sync({ confirm: true });
    expect(sync.run).toMatchObject({ status: 'succeeded', mode: 'incremental', error: null });
    expect(sync.run.counts.written).toBe(40);
    expect(kamOf(w.sb, PLANTED.key18)['KAM_Tier__c']).toBe('Key');

    w.sb.resetCalls();
    const again = await w.sync();
    expect(again.run).toMatchObject({ status: 'succeeded', mode: 'incremental', error: null });
    expect(again.plan?.writes).toEqual([]);
    expect(writeCalls(w.sb.calls())).toBe(0);
  });

  it('reads on from a cursor saved with an empty record id (as earlier versions saved it)', async () => {
    const w = await startWorld(SEED);
    world = w;
    await (await w.connector()).provision();
    expect((await w.sync({ confirm: true })).run.status).toBe('succeeded');
    const states = await w.store.getStreamStates('sf-e2e');
    for (const [object, state] of Object.entries(states)) {
      const cursor = state?.cursor;
      if (!cursor || cursor['phase'] !== 'incremental') continue;
      await w.store.checkpointPage({
        connectionId: 'sf-e2e', object: object as 'accounts', records: [], deletedIds: [],
        cursor: { ...cursor, id: '' }, phase: 'incremental', sweepToken: null, sweep: false,
      });
    }
    const next = await w.sync();
    expect(next.run).toMatchObject({ status: 'succeeded', mode: 'incremental', error: null });
    expect(next.plan?.writes).toEqual([]);
  });
});
