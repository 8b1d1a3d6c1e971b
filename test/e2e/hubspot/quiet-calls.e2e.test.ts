import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxOptions } from '../../../src/sandbox/index.ts';
import type { SyncResult } from '../../../src/sync/types.ts';
import { loadMirrorKind } from '../../../src/store/read-mirror.ts';
import { CONNECTION, startWorld, type World } from './harness.ts';

/**
 * The calls of a quiet HubSpot run, counted by the simulator: once the first run's writes are
 * behind the cursor (the run after them reads them back once), an unchanged run makes one
 * search per stream (newest first, no filter) and nothing else: its records reach back past the
 * saved point, so nothing changed, and its total equals what the mirror holds, so nothing was
 * deleted and the archived list is left unread. No owners, pipelines or currencies (read at
 * most daily), no associations. A count that does not add up (a deletion, a record created and
 * another deleted, a deletion the search counted late) reads the archived list; so does a day
 * since it was last read, whatever the counts say.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

const pulledTotal = (r: SyncResult): number => Object.values(r.run.counts.pulled).reduce((a: number, b) => a + (b ?? 0), 0);

function hubspotCalls(w: World): Record<string, number> {
  return Object.fromEntries(Object.entries(w.sb.calls()).filter(([k]) => k.startsWith('hubspot.')).map(([k, v]) => [k.slice('hubspot.'.length), v]));
}

/** A world past its first run and the run that reads the written companies back, calls reset. */
async function quietWorld(opts: { sandbox?: Omit<SandboxOptions, 'seed'>; options?: Record<string, unknown> } = {}): Promise<World> {
  const w = await startWorld({ accounts: 40, sandbox: { clockStart: '2026-06-30T08:00:00Z', ...(opts.sandbox ?? {}) }, ...(opts.options ? { options: opts.options } : {}) });
  world = w;
  w.sb.clock.advance(HOUR);
  await w.provision();
  const first = await w.sync({ confirm: true });
  expect([first.run.status, first.run.counts.written]).toEqual(['succeeded', 40]);
  // The run after the write-back finds the written companies once (search answers carry no
  // values the mirror lacks, so they are read, and taken as no change).
  w.sb.clock.advance(HOUR);
  const second = await w.sync();
  expect([second.run.status, pulledTotal(second)]).toEqual(['succeeded', 0]);
  w.sb.clock.advance(HOUR);
  w.sb.resetCalls();
  return w;
}

const productIds = (w: World): string[] => w.sb.hs.list('products').map((p) => p.id);
const mirroredIds = async (w: World, kind: 'products' | 'contacts'): Promise<string[]> => (await loadMirrorKind(w.store, CONNECTION, kind)).map((r) => (r as { id: string }).id);

describe('HubSpot quiet run', () => {
  it('makes one search per stream and reads neither the archived lists nor a lookup', async () => {
    const w = await quietWorld();
    const quiet = await w.sync();
    expect([quiet.run.status, quiet.run.mode, pulledTotal(quiet), quiet.run.counts.deleted]).toEqual(['succeeded', 'incremental', 0, 0]);
    // Five object streams (products, companies, contacts, deals, line items); users kept, and one
    // account-details read for the portal's daily API reading (search answers carry none).
    expect(hubspotCalls(w)).toEqual({ search: 5, accountInfo: 1 });
  });

  it('sees a deletion: the contacts search counts one fewer than the mirror holds, so that stream reads its archived list', async () => {
    const w = await quietWorld();
    const gone = (await mirroredIds(w, 'contacts'))[3] as string;
    w.sb.hs.archive('contacts', gone);
    w.sb.clock.advance(MINUTE);
    const run = await w.sync();
    expect([run.run.status, pulledTotal(run), run.run.counts.deleted]).toEqual(['succeeded', 0, 1]);
    expect(await mirroredIds(w, 'contacts')).not.toContain(gone);
    expect(hubspotCalls(w)).toEqual({ search: 5, list: 1, accountInfo: 1 });
  });

  it('sees a product created and another deleted in the same run, though the total is the same as before', async () => {
    const w = await quietWorld();
    const [gone] = productIds(w);
    const before = (await mirroredIds(w, 'products')).length;
    const created = w.sb.hs.create('products', { name: 'Managed backups' });
    w.sb.hs.archive('products', gone as string);
    w.sb.clock.advance(MINUTE);
    const run = await w.sync();
    // The product gone changes the analysis: the plan waits for approval (the pull is done).
    expect([run.run.error, run.run.counts.pulled.products, run.run.counts.deleted]).toEqual([null, 1, 1]);
    const after = await mirroredIds(w, 'products');
    expect([after.length, after.includes(created), after.includes(gone as string)]).toEqual([before, true, false]);
    expect(hubspotCalls(w)).toEqual({ search: 5, list: 1, accountInfo: 1 });
  });

  it('falls back to the filtered search when every record of the probe page changed, still leaving the archived lists unread', async () => {
    const w = await quietWorld({ options: { pageSizes: { probe: 2 } } });
    const companies = Object.values(w.sb.ids.hubspot.accounts).slice(0, 3);
    for (const id of companies) w.sb.hs.update('companies', id, { industry: 'UTILITIES' });
    w.sb.clock.advance(MINUTE);
    const run = await w.sync();
    expect([run.run.status, run.run.counts.pulled.accounts, run.run.counts.deleted]).toEqual(['succeeded', 3, 0]);
    // Companies: the probe of two, then the filtered search, and the parents of the three read.
    expect(hubspotCalls(w)).toEqual({ search: 6, associationsBatchRead: 1, accountInfo: 1 });
  });

  it('catches a deletion the search still counted (its index lagging) on the next run', async () => {
    const w = await quietWorld({ sandbox: { hubspotSearchLagMs: 10 * MINUTE } });
    const [gone] = productIds(w);
    w.sb.hs.archive('products', gone as string);
    w.sb.clock.advance(MINUTE);
    const early = await w.sync();
    // The search still finds the product: the counts agree and the archived list is not read.
    expect([early.run.status, early.run.counts.deleted]).toEqual(['succeeded', 0]);
    expect(hubspotCalls(w)).toEqual({ search: 5, accountInfo: 1 });
    expect(await mirroredIds(w, 'products')).toContain(gone);

    w.sb.clock.advance(20 * MINUTE);
    w.sb.resetCalls();
    const later = await w.sync();
    // Now the search counts one fewer than the mirror holds: the archived list, read from the
    // point of its last read, has the product.
    expect([later.run.error, later.run.counts.deleted]).toEqual([null, 1]);
    expect(await mirroredIds(w, 'products')).not.toContain(gone);
    expect(hubspotCalls(w)).toEqual({ search: 5, list: 1, accountInfo: 1 });
  });

  it('reads every archived list once a day, whatever the counts say: a restore balancing a deletion', async () => {
    const w = await quietWorld();
    const [restored, gone] = productIds(w) as [string, string];
    w.sb.hs.archive('products', restored);
    w.sb.clock.advance(MINUTE);
    expect((await w.sync()).run.counts.deleted).toBe(1);
    // A product deleted and the first one restored (its stamp unmoved): as many live products
    // as the mirror holds, so the counts cannot tell.
    w.sb.hs.archive('products', gone);
    w.sb.hs.restore('products', restored);
    w.sb.clock.advance(HOUR);
    w.sb.resetCalls();
    const early = await w.sync();
    expect([early.run.error, early.run.counts.deleted]).toEqual([null, 0]);
    expect(hubspotCalls(w)).toEqual({ search: 5, accountInfo: 1 });
    expect(await mirroredIds(w, 'products')).toContain(gone);

    // A day after the lists were last read (on the portal's clock), every stream reads its own.
    w.sb.clock.advance(24 * HOUR);
    const daily = await w.sync();
    expect([daily.run.error, daily.run.counts.deleted]).toEqual([null, 1]);
    expect(await mirroredIds(w, 'products')).not.toContain(gone);

    // The other streams' lists were read on the portal's clock of that run: the next run reads
    // none of theirs. The restored product stays unknown to the mirror until it is modified (or
    // a full pull lists it), so the products' count stays one short and their list is read.
    w.sb.clock.advance(HOUR);
    // The daily run's searches are out of the simulator's one-second search window.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    w.sb.resetCalls();
    const next = await w.sync();
    expect([next.run.error, pulledTotal(next), next.run.counts.deleted]).toEqual([null, 0, 0]);
    expect(await mirroredIds(w, 'products')).not.toContain(restored);
    expect(hubspotCalls(w)).toEqual({ search: 5, list: 1, accountInfo: 1 });
  });
});
