import { afterEach, describe, expect, it } from 'vitest';
import type { SyncResult } from '../../../src/sync/types.ts';
import { loadMirror } from '../../../src/store/read-mirror.ts';
import { CONNECTION_ID, sampleOrg, startWorld, type World } from './harness.ts';

/**
 * What an incremental run reads from the org: nothing when nothing changed (one query per
 * stream), an edited record once, not Kamflow's own writes, and never less than what changed,
 * whatever this machine's clock says.
 */

const SEED = sampleOrg(40);
const MINUTE = 60_000;
let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

const pulledTotal = (r: SyncResult): number => Object.values(r.run.counts.pulled).reduce((a: number, b) => a + (b ?? 0), 0);
/** Read calls by kind (query, queryAll, queryMore) the simulator answered. */
function queryCalls(calls: Record<string, number>): number {
  return ['query', 'queryAll', 'queryMore'].reduce((n, k) => n + (calls[`salesforce.${k}`] ?? 0), 0);
}

async function syncedWorld(sandbox: Parameters<typeof startWorld>[1] = {}): Promise<World> {
  const w = await startWorld(SEED, sandbox);
  world = w;
  // The org was filled long before Kamflow came: its records are older than any look-back.
  w.sb.clock.advance(60 * MINUTE);
  await (await w.connector()).provision();
  const first = await w.sync();
  expect(first.run.status).toBe('succeeded');
  expect(first.run.counts.written).toBe(40);
  return w;
}

describe('Salesforce incremental reads', () => {
  it('after a run that wrote every account, an unchanged run reads no record: one query per stream', async () => {
    const w = await syncedWorld();
    w.sb.resetCalls();
    const quiet = await w.sync();
    expect(quiet.run.status).toBe('succeeded');
    expect(quiet.run.mode).toBe('incremental');
    expect(pulledTotal(quiet)).toBe(0);
    // One per stream, and the currency probe every run makes (a CurrencyType query).
    expect(queryCalls(w.sb.calls())).toBe(7);
    expect(quiet.plan?.writes).toEqual([]);
  });

  it('an edited record is read by the next run and not by the one after it', async () => {
    const w = await syncedWorld();
    const contactId = Object.values(w.sb.ids.salesforce.contacts)[3] as string;
    w.sb.clock.advance(MINUTE);
    w.sb.sf.update('Contact', contactId, { Title: 'Chief Buyer' });
    const edited = await w.sync();
    expect(edited.run.counts.pulled).toMatchObject({ contacts: 1, accounts: 0, opportunities: 0 });
    expect(pulledTotal(edited)).toBe(1);
    // Still inside the 5-minute look-back, but already read at this stamp.
    w.sb.clock.advance(MINUTE);
    const next = await w.sync();
    expect(pulledTotal(next)).toBe(0);
  });

  it("does not read back its own writes, and still reads someone else's later edit of a written account", async () => {
    const w = await syncedWorld();
    // A big deal moves one family's share: the run writes that family's accounts.
    const deal = w.sb.sf.query('SELECT Id, Amount, AccountId FROM Opportunity WHERE IsWon = true ORDER BY Amount DESC LIMIT 1')[0];
    w.sb.clock.advance(MINUTE);
    w.sb.sf.update('Opportunity', String(deal?.['Id']), { Amount: Number(deal?.['Amount']) * 5 });
    const writing = await w.sync();
    expect(writing.run.counts.written).toBeGreaterThan(0);
    const written = writing.plan?.writes.map((x) => x.accountId) ?? [];
    expect(writing.run.counts.pulled).toMatchObject({ opportunities: 1, accounts: 0 });

    w.sb.clock.advance(MINUTE);
    const after = await w.sync();
    expect(pulledTotal(after)).toBe(0);
    // The mirror holds what the run wrote, as the org does.
    const mirror = await loadMirror(w.store, CONNECTION_ID);
    const accounts = new Map((mirror.accounts as { id: string; fields: Record<string, unknown> }[]).map((a) => [a.id, a]));
    for (const id of written) {
      expect(accounts.get(id)?.fields['kam_tier']).toBe(w.sb.sf.record('Account', id)?.['KAM_Tier__c']);
    }

    w.sb.clock.advance(MINUTE);
    const target = written[0] as string;
    w.sb.sf.update('Account', target, { Industry: 'Utilities' });
    const edited = await w.sync();
    expect(edited.run.counts.pulled).toMatchObject({ accounts: 1 });
    const again = await loadMirror(w.store, CONNECTION_ID);
    expect((again.accounts as { id: string; industry: string | null }[]).find((a) => a.id === target)?.industry).toBe('Utilities');
  });

  it("anchors on the org's clock: an org hours behind this machine loses no change", async () => {
    // The org's clock stands at a fixed moment months before this machine's and moves only as it stamps.
    const w = await startWorld(SEED, { clockStart: '2026-06-30T08:00:00Z' });
    world = w;
    w.sb.clock.advance(60 * MINUTE);
    await (await w.connector()).provision();
    expect((await w.sync()).run.status).toBe('succeeded');
    w.sb.clock.advance(MINUTE);
    const contactId = Object.values(w.sb.ids.salesforce.contacts)[5] as string;
    w.sb.sf.update('Contact', contactId, { Title: 'Head of Procurement' });
    const next = await w.sync();
    expect(next.run.counts.pulled).toMatchObject({ contacts: 1 });
    const mirror = await loadMirror(w.store, CONNECTION_ID);
    expect((mirror.contacts as { id: string; title: string | null }[]).find((c) => c.id === contactId)?.title).toBe('Head of Procurement');
  });
});
