import { afterEach, describe, expect, it } from 'vitest';
import type { SyncResult } from '../../../src/sync/types.ts';
import { startWorld, type World } from './harness.ts';

/**
 * The calls of a quiet HubSpot run, counted by the simulator: once the first run's writes are
 * behind the cursor (the run after them reads them back once), an unchanged run makes one
 * search per stream and one archived-list page per stream (search never returns deletes), and
 * nothing else: no owners, pipelines or currencies (read at most daily), no associations.
 */

const MINUTE = 60_000;
let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

const pulledTotal = (r: SyncResult): number => Object.values(r.run.counts.pulled).reduce((a: number, b) => a + (b ?? 0), 0);

function hubspotCalls(w: World): Record<string, number> {
  return Object.fromEntries(Object.entries(w.sb.calls()).filter(([k]) => k.startsWith('hubspot.')).map(([k, v]) => [k.slice('hubspot.'.length), v]));
}

describe('HubSpot quiet run', () => {
  it('makes one search and one archived-list call per stream, and reads no lookup', async () => {
    const w = await startWorld({ accounts: 40, sandbox: { clockStart: '2026-06-30T08:00:00Z' } });
    world = w;
    w.sb.clock.advance(60 * MINUTE);
    await w.provision();
    const first = await w.sync({ confirm: true });
    expect([first.run.status, first.run.counts.written]).toEqual(['succeeded', 40]);
    // The run after the write-back finds the written companies once (search answers carry no
    // values the mirror lacks, so they are read, and taken as no change).
    w.sb.clock.advance(60 * MINUTE);
    const second = await w.sync();
    expect([second.run.status, pulledTotal(second)]).toEqual(['succeeded', 0]);

    w.sb.clock.advance(60 * MINUTE);
    w.sb.resetCalls();
    const quiet = await w.sync();
    expect([quiet.run.status, quiet.run.mode, pulledTotal(quiet)]).toEqual(['succeeded', 'incremental', 0]);
    // Five object streams (products, companies, contacts, deals, line items); users kept, and one
    // account-details read for the portal's daily API reading (search answers carry none).
    expect(hubspotCalls(w)).toEqual({ search: 5, list: 5, accountInfo: 1 });
  });
});
