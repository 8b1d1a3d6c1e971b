import { afterEach, describe, expect, it } from 'vitest';
import { kamOf, sampleOrg, startWorld, writeCalls, type World } from './harness.ts';

/**
 * Connections that drop after the org applied a write: the write is never sent again, the next
 * run finds it applied (so it can be rolled back), and a Bulk job left open is aborted.
 */

const SEED = sampleOrg(40);
let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function provisioned(extraOptions: Record<string, unknown> = {}): Promise<World> {
  world = await startWorld(SEED, {}, extraOptions);
  await (await world.connector()).provision();
  return world;
}

const someAccount = SEED.accounts[0]?.id ?? '';

describe('Salesforce end to end: answers lost after the org applied a write', () => {
  it('an sObject Collections update is sent once, found applied by the next run, and rolled back', async () => {
    const w = await provisioned();
    w.sb.setFaults({ salesforce: { dropAfterWrite: 1 }, seed: 3 });
    w.sb.resetCalls();
    const first = await w.sync({ confirm: true });
    expect(first.run.status).toBe('succeeded');
    expect(first.run.counts).toMatchObject({ written: 0, failed: 0, unconfirmed: 40 });
    expect(writeCalls(w.sb.calls())).toBe(1);
    expect(kamOf(w.sb, someAccount)['KAM_Tier__c']).not.toBeNull();

    w.sb.setFaults({});
    w.sb.resetCalls();
    const second = await w.sync({ confirm: true });
    expect(second.run.status).toBe('succeeded');
    expect(second.plan?.writes).toEqual([]);
    // Only reads: the look for Bulk jobs a stopped run may have left (none), then the pull.
    expect(w.sb.calls()['salesforce.collectionsUpdate'] ?? 0).toBe(0);
    const writes = await w.store.listWrites(first.run.id);
    expect(new Set(writes.map((x) => `${x.status} ${x.code}`))).toEqual(new Set(['ok CONFIRMED_AFTER_STOP']));
    expect((await w.store.getRun(first.run.id))?.counts).toMatchObject({ written: 40, unconfirmed: 0 });

    const rb = await w.rollback(first.run.id);
    expect(rb.run.status).toBe('succeeded');
    expect(rb.run.counts.written).toBe(40);
    for (const a of SEED.accounts) expect(kamOf(w.sb, a.id)['KAM_Tier__c']).toBeNull();
    expect(await w.store.checkIntegrity()).toEqual([]);
  });

  it('a Bulk job whose creation answer was lost is aborted by the next run, never left open', async () => {
    const w = await provisioned({ bulkWriteThreshold: 5 });
    w.sb.setFaults({ salesforce: { dropAfterWrite: 1 }, seed: 3 });
    const first = await w.sync({ confirm: true });
    expect(first.run.counts).toMatchObject({ written: 0, unconfirmed: 40 });
    // The create was not sent again: one job, open, empty.
    expect(w.sb.sf.ingestJobs().map((j) => j.state)).toEqual(['Open']);

    w.sb.setFaults({});
    const second = await w.sync({ confirm: true });
    expect(second.run.status).toBe('succeeded');
    expect(second.run.counts.written).toBe(40);
    const [orphan, ...rest] = w.sb.sf.ingestJobs();
    expect(orphan?.state).toBe('Aborted');
    expect(rest.map((j) => j.state)).toEqual(['JobComplete']);
    const issues = await w.store.listRunIssues(second.run.id);
    expect(issues.filter((i) => i.kind === 'remote-job-aborted').map((i) => i.recordId)).toEqual([orphan?.id]);
    expect(issues.filter((i) => i.kind === 'in-flight-not-applied')).toHaveLength(40);
    expect(await w.store.checkIntegrity()).toEqual([]);
  });
});
