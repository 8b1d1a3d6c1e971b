import { afterEach, describe, expect, it } from 'vitest';
import type { SyncResult } from '../../../src/sync/types.ts';
import { loadMirror } from '../../../src/store/read-mirror.ts';
import { SANDBOX_FIELDS } from '../../../src/sandbox/index.ts';
import { CONNECTION, startWorld, type World, type WorldOptions } from './harness.ts';

/**
 * What an incremental run reads from the portal: nothing when nothing changed (one search per
 * stream), an edited record once, not Kamflow's own writes, and never less than what changed,
 * whatever this machine's clock says.
 */

const MINUTE = 60_000;
let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** Records pulled by the object streams (owners are looked up apart). */
const pulledObjects = (r: SyncResult): number =>
  Object.entries(r.run.counts.pulled).filter(([k]) => k !== 'users').reduce((a, [, b]) => a + (b ?? 0), 0);

async function syncedWorld(opts: WorldOptions = {}): Promise<World> {
  const w = await startWorld({ accounts: 40, ...opts });
  world = w;
  // The portal was filled long before Kamflow came: its records are older than any look-back.
  w.sb.clock.advance(60 * MINUTE);
  await w.provision();
  const first = await w.sync();
  expect(first.run.status).toBe('succeeded');
  expect(first.run.counts.written).toBe(40);
  return w;
}

describe('HubSpot incremental reads', () => {
  it('after a run that wrote every company, an unchanged run reads no record: one search per stream', async () => {
    const w = await syncedWorld();
    w.sb.resetCalls();
    const quiet = await w.sync();
    expect(quiet.run.status).toBe('succeeded');
    expect(quiet.run.mode).toBe('incremental');
    expect(pulledObjects(quiet)).toBe(0);
    expect(w.sb.calls()['hubspot.search']).toBe(5);
    expect(w.sb.calls()['hubspot.associationsBatchRead'] ?? 0).toBe(0);
    expect(quiet.plan?.writes).toEqual([]);
  });

  it('an edited record is read by the next run and not by the one after it', async () => {
    const w = await syncedWorld();
    const contactId = Object.values(w.sb.ids.hubspot.contacts)[3] as string;
    w.sb.clock.advance(MINUTE);
    w.sb.hs.update('contacts', contactId, { jobtitle: 'Chief Buyer' });
    const edited = await w.sync();
    expect(edited.run.counts.pulled).toMatchObject({ contacts: 1, accounts: 0, opportunities: 0 });
    expect(pulledObjects(edited)).toBe(1);
    // Still inside the one-minute look-back of the search, but already read at this stamp.
    w.sb.clock.advance(30_000);
    const next = await w.sync();
    expect(pulledObjects(next)).toBe(0);
  });

  it("does not read back its own writes, and still reads someone else's later edit of a written company", async () => {
    // The big deal moves every family's share: let the plan through without --confirm.
    const w = await syncedWorld({ options: { safetyGateShare: 1 } });
    const deals = Object.values(w.sb.ids.hubspot.opportunities).map((id) => w.sb.hs.object('deals', id));
    const won = deals.filter((d) => d?.properties['dealstage'] === SANDBOX_FIELDS.hubspot.stages.won).sort((a, b) => Number(b?.properties['amount']) - Number(a?.properties['amount']))[0];
    w.sb.clock.advance(MINUTE);
    w.sb.hs.update('deals', String(won?.id), { amount: String(Number(won?.properties['amount']) * 5), closedate: '2026-06-01T00:00:00.000Z' });
    const writing = await w.sync();
    expect(writing.run.counts.pulled).toMatchObject({ opportunities: 1, accounts: 0 });
    expect(writing.run.counts.written).toBeGreaterThan(0);
    const written = writing.plan?.writes.map((x) => x.accountId) ?? [];

    w.sb.clock.advance(30_000);
    const after = await w.sync();
    expect(pulledObjects(after)).toBe(0);
    const mirror = await loadMirror(w.store, CONNECTION);
    const accounts = new Map((mirror.accounts as { id: string; fields: Record<string, unknown> }[]).map((a) => [a.id, a]));
    for (const id of written) expect(accounts.get(id)?.fields['kam_tier']).toBe(w.sb.hs.object('companies', id)?.properties['kam_tier']);

    w.sb.clock.advance(MINUTE);
    const target = written[0] as string;
    w.sb.hs.update('companies', target, { industry: 'UTILITIES' });
    const edited = await w.sync();
    expect(edited.run.counts.pulled).toMatchObject({ accounts: 1 });
    const again = await loadMirror(w.store, CONNECTION);
    expect((again.accounts as { id: string; industry: string | null }[]).find((a) => a.id === target)?.industry).toBe('UTILITIES');
  });

  it("anchors on the portal's clock: a portal months behind this machine loses no change", async () => {
    const w = await startWorld({ accounts: 40, sandbox: { clockStart: '2026-06-30T08:00:00Z' } });
    world = w;
    w.sb.clock.advance(60 * MINUTE);
    await w.provision();
    expect((await w.sync()).run.status).toBe('succeeded');
    w.sb.clock.advance(5 * MINUTE);
    const contactId = Object.values(w.sb.ids.hubspot.contacts)[5] as string;
    w.sb.hs.update('contacts', contactId, { jobtitle: 'Head of Procurement' });
    const next = await w.sync();
    expect(next.run.counts.pulled).toMatchObject({ contacts: 1 });
    const mirror = await loadMirror(w.store, CONNECTION);
    expect((mirror.contacts as { id: string; title: string | null }[]).find((c) => c.id === contactId)?.title).toBe('Head of Procurement');
  });
});
