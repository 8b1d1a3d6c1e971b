import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from './harness.ts';

/** A batch update whose connection drops after HubSpot applied it: sent once, settled next run. */

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('HubSpot end to end: an answer lost after the portal applied a batch update', () => {
  it('is not sent again, is found applied by the next run, and rolls back', async () => {
    const w = await startWorld({ accounts: 40 });
    world = w;
    await w.provision();
    w.sb.setFaults({ hubspot: { dropAfterWrite: 1 }, seed: 5 });
    w.sb.resetCalls();
    const first = await w.sync({ confirm: true });
    expect(first.run.status).toBe('succeeded');
    expect(first.run.counts).toMatchObject({ written: 0, failed: 0, unconfirmed: 40 });
    expect(w.writeCalls()).toBe(1);
    const anyId = w.org.accounts[0]?.id ?? '';
    expect(w.company(anyId)['kam_tier']).not.toBeNull();

    w.sb.setFaults({});
    w.sb.resetCalls();
    const second = await w.sync();
    expect(second.plan?.writes).toEqual([]);
    expect(w.writeCalls()).toBe(0);
    expect((await w.store.getRun(first.run.id))?.counts).toMatchObject({ written: 40, unconfirmed: 0 });

    const rb = await w.rollback(first.run.id);
    expect(rb.run.counts.written).toBe(40);
    for (const a of w.org.accounts) expect(w.company(a.id)['kam_tier'] ?? '').toBe('');
    expect(await w.store.checkIntegrity()).toEqual([]);
  });
});
