import { afterEach, describe, expect, it } from 'vitest';
import type { SyncResult } from '../../../src/sync/types.ts';
import { loadMirror } from '../../../src/store/read-mirror.ts';
import { CONNECTION, startWorld, type World } from './harness.ts';

/**
 * What an incremental HubSpot run takes: no record when nothing changed, not Kamflow's own
 * writes searched back, and every edit anyone else made, also in the same second (the same
 * millisecond, even) as Kamflow's write, whatever this machine's clock says. The portal's clock
 * is the simulator's manual one, months behind this machine's: nothing depends on timing.
 */

const MINUTE = 60_000;
let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

const pulledTotal = (r: SyncResult): number => Object.values(r.run.counts.pulled).reduce((a: number, b) => a + (b ?? 0), 0);

async function syncedWorld(): Promise<World> {
  const w = await startWorld({ accounts: 40, sandbox: { clockStart: '2026-06-30T08:00:00Z' } });
  world = w;
  w.sb.clock.advance(60 * MINUTE);
  await w.provision();
  const first = await w.sync({ confirm: true });
  expect([first.run.status, first.run.error]).toEqual(['succeeded', null]);
  expect(first.run.counts.written).toBe(40);
  return w;
}

async function mirrored(w: World, kind: 'accounts' | 'contacts', id: string): Promise<Record<string, unknown> | undefined> {
  const mirror = await loadMirror(w.store, CONNECTION);
  return (mirror[kind] as { id: string }[]).find((r) => r.id === id) as Record<string, unknown> | undefined;
}

describe('HubSpot incremental reads', () => {
  it('after a run that wrote every company, an unchanged run takes no record', async () => {
    const w = await syncedWorld();
    w.sb.clock.advance(MINUTE);
    const quiet = await w.sync();
    expect([quiet.run.status, quiet.run.mode]).toEqual(['succeeded', 'incremental']);
    expect(pulledTotal(quiet)).toBe(0);
    expect(quiet.plan?.writes).toEqual([]);
  });

  it("takes a person's edit of a written company made at the very stamp of Kamflow's write", async () => {
    const w = await syncedWorld();
    const company = Object.values(w.sb.ids.hubspot.accounts)[2] as string;
    // The edit lands right after Kamflow's write, before the clock moves on.
    w.sb.hs.update('companies', company, { industry: 'UTILITIES' });
    const next = await w.sync();
    expect(next.run.counts.pulled).toMatchObject({ accounts: 1 });
    expect((await mirrored(w, 'accounts', company))?.['industry']).toBe('UTILITIES');
  });

  it("anchors on the portal's clock: a portal months behind this machine loses no change", async () => {
    const w = await syncedWorld();
    w.sb.clock.advance(MINUTE);
    const contact = Object.values(w.sb.ids.hubspot.contacts)[4] as string;
    w.sb.hs.update('contacts', contact, { jobtitle: 'Head of Procurement' });
    const next = await w.sync();
    expect(next.run.counts.pulled).toMatchObject({ contacts: 1 });
    expect((await mirrored(w, 'contacts', contact))?.['title']).toBe('Head of Procurement');
  });

  it('reads owners and pipelines at most daily, and owners at once when a deal names one not seen', async () => {
    const w = await syncedWorld();
    w.sb.clock.advance(MINUTE);
    w.sb.resetCalls();
    const quiet = await w.sync();
    expect(quiet.run.status).toBe('succeeded');
    expect([w.sb.calls()['hubspot.owners'] ?? 0, w.sb.calls()['hubspot.pipelines'] ?? 0]).toEqual([0, 0]);

    // A new queue takes over a deal: the deal is nobody's workload, so the owners are read now.
    const queue = w.sb.hs.addQueue('Renewals desk');
    const deal = Object.values(w.sb.ids.hubspot.opportunities)[0] as string;
    w.sb.clock.advance(MINUTE);
    w.sb.hs.update('deals', deal, { hubspot_owner_id: queue });
    w.sb.resetCalls();
    const next = await w.sync();
    expect(next.run.status).toBe('succeeded');
    expect(w.sb.calls()['hubspot.owners'] ?? 0).toBeGreaterThan(0);
    const mirror = await loadMirror(w.store, CONNECTION);
    expect((mirror.opportunities as { id: string; ownerId: string | null }[]).find((o) => o.id === deal)?.ownerId).toBeNull();
  });
});
