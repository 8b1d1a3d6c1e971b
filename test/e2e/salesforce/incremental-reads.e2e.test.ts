import { afterEach, describe, expect, it } from 'vitest';
import type { SyncResult } from '../../../src/sync/types.ts';
import { loadMirror } from '../../../src/store/read-mirror.ts';
import { CONNECTION_ID, sampleOrg, startWorld, type World } from './harness.ts';

/**
 * What an incremental run takes from the org: no record when nothing changed, an edited record
 * once, not Kamflow's own writes read back, and every edit anyone else made, also in the same
 * second as Kamflow's write or in the same transaction, whatever this machine's clock says. The
 * org's clock is the simulator's manual one: it moves only when told or when it stamps, so
 * nothing here depends on how fast the test runs.
 */

const SEED = sampleOrg(40);
const MINUTE = 60_000;
/** Months before this machine's clock: an org whose clock is far behind ours. */
const ORG_START = '2026-06-30T08:00:00Z';
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

async function syncedWorld(): Promise<World> {
  const w = await startWorld(SEED, { clockStart: ORG_START });
  world = w;
  // The org was filled long before Kamflow came: its records are older than any look-back.
  w.sb.clock.advance(60 * MINUTE);
  await (await w.connector()).provision();
  const first = await w.sync({ confirm: true });
  expect(first.run.status).toBe('succeeded');
  expect(first.run.counts.written).toBe(40);
  return w;
}

async function mirroredAccount(w: World, id: string): Promise<{ industry: string | null; fields: Record<string, unknown> } | undefined> {
  const mirror = await loadMirror(w.store, CONNECTION_ID);
  return (mirror.accounts as { id: string; industry: string | null; fields: Record<string, unknown> }[]).find((a) => a.id === id);
}

/** A run that writes some accounts: a big deal moves one family's share. */
async function writingRun(w: World): Promise<string[]> {
  const deal = w.sb.sf.query('SELECT Id, Amount, AccountId FROM Opportunity WHERE IsWon = true ORDER BY Amount DESC LIMIT 1')[0];
  w.sb.clock.advance(MINUTE);
  w.sb.sf.update('Opportunity', String(deal?.['Id']), { Amount: Number(deal?.['Amount']) * 5 });
  const writing = await w.sync();
  expect(writing.run.status).toBe('succeeded');
  expect(writing.run.counts.written).toBeGreaterThan(0);
  return writing.plan?.writes.map((x) => x.accountId) ?? [];
}

describe('Salesforce incremental reads', () => {
  it('after a run that wrote every account, an unchanged run takes no record, with one query per stream', async () => {
    const w = await syncedWorld();
    w.sb.clock.advance(MINUTE);
    w.sb.resetCalls();
    const quiet = await w.sync();
    expect(quiet.run.status).toBe('succeeded');
    expect(quiet.run.mode).toBe('incremental');
    expect(pulledTotal(quiet)).toBe(0);
    // One per stream (seven, the contact roles among them): the org's currencies were read by the first run less than a day ago.
    expect(queryCalls(w.sb.calls())).toBe(7);
    expect(w.sb.calls()['salesforce.getUserInfo'] ?? 0).toBe(0);
    expect(quiet.plan?.writes).toEqual([]);
    // An hour on, the written accounts are past the look-back: one query per stream reads nothing.
    w.sb.clock.advance(60 * MINUTE);
    w.sb.resetCalls();
    const later = await w.sync();
    expect(pulledTotal(later)).toBe(0);
    expect(w.sb.calls()['salesforce.queryAll'] ?? 0).toBe(6);
    // The accounts' cursor stands on the org's clock of that run, past every written stamp.
    const cursor = (await w.store.getStreamStates(CONNECTION_ID)).accounts?.cursor;
    const newest = Math.max(...w.sb.sf.query('SELECT SystemModstamp FROM Account').map((r) => { const v = r['SystemModstamp']; return typeof v === 'number' ? v : Date.parse(String(v)); }));
    expect(Date.parse(String(cursor?.['ts']))).toBeGreaterThan(newest + 30 * MINUTE);
  });

  it('an edited record is taken by the next run and not by the one after it', async () => {
    const w = await syncedWorld();
    const contactId = Object.values(w.sb.ids.salesforce.contacts)[3] as string;
    w.sb.clock.advance(MINUTE);
    w.sb.sf.update('Contact', contactId, { Title: 'Chief Buyer' });
    const edited = await w.sync();
    expect(edited.run.counts.pulled).toMatchObject({ contacts: 1, accounts: 0, opportunities: 0 });
    expect(pulledTotal(edited)).toBe(1);
    // Still inside the 5-minute look-back, but read already with these values.
    w.sb.clock.advance(MINUTE);
    const next = await w.sync();
    expect(pulledTotal(next)).toBe(0);
  });

  it("does not take its own writes back as changes, and takes someone's later edit of a written account", async () => {
    const w = await syncedWorld();
    const written = await writingRun(w);
    w.sb.clock.advance(MINUTE);
    const after = await w.sync();
    expect(pulledTotal(after)).toBe(0);
    // The mirror holds what the run wrote, as the org does.
    for (const id of written) expect((await mirroredAccount(w, id))?.fields['kam_tier']).toBe(w.sb.sf.record('Account', id)?.['KAM_Tier__c']);

    w.sb.clock.advance(MINUTE);
    const target = written[0] as string;
    w.sb.sf.update('Account', target, { Industry: 'Utilities' });
    const edited = await w.sync();
    expect(edited.run.counts.pulled).toMatchObject({ accounts: 1 });
    expect((await mirroredAccount(w, target))?.industry).toBe('Utilities');
  });

  it("takes a person's edit made in the same second as Kamflow's write of the account", async () => {
    const w = await syncedWorld();
    const written = await writingRun(w);
    const target = written[0] as string;
    // No clock move: the org stamps this edit in the second of Kamflow's write.
    const writeStamp = w.sb.sf.record('Account', target)?.['SystemModstamp'];
    w.sb.sf.update('Account', target, { Industry: 'Same Second Industry' });
    expect(w.sb.sf.record('Account', target)?.['SystemModstamp']).toBe(writeStamp);
    const next = await w.sync();
    expect(next.run.counts.pulled).toMatchObject({ accounts: 1 });
    expect((await mirroredAccount(w, target))?.industry).toBe('Same Second Industry');
  });

  it("takes an automation's edit made in the same transaction as Kamflow's write", async () => {
    const w = await syncedWorld();
    // A record-triggered flow: whenever a KAM field is written, it sets the account's industry.
    w.sb.onRecordUpdate((crm, object, id, values) => {
      if (crm === 'salesforce' && object === 'Account' && Object.keys(values).some((k) => k.startsWith('KAM_')) && !('Industry' in values)) {
        w.sb.sf.update('Account', id, { Industry: 'Set by a flow' });
      }
    });
    const written = await writingRun(w);
    w.sb.onRecordUpdate(null);
    const target = written[0] as string;
    const next = await w.sync();
    expect(next.run.counts.pulled['accounts']).toBe(written.length);
    expect((await mirroredAccount(w, target))?.industry).toBe('Set by a flow');
    expect((await mirroredAccount(w, target))?.fields['kam_tier']).toBe(w.sb.sf.record('Account', target)?.['KAM_Tier__c']);
  });

  it("anchors on the org's clock: an org months behind this machine loses no change", async () => {
    const w = await syncedWorld();
    w.sb.clock.advance(MINUTE);
    const contactId = Object.values(w.sb.ids.salesforce.contacts)[5] as string;
    w.sb.sf.update('Contact', contactId, { Title: 'Head of Procurement' });
    const next = await w.sync();
    expect(next.run.counts.pulled).toMatchObject({ contacts: 1 });
    const mirror = await loadMirror(w.store, CONNECTION_ID);
    expect((mirror.contacts as { id: string; title: string | null }[]).find((c) => c.id === contactId)?.title).toBe('Head of Procurement');
  });
});
