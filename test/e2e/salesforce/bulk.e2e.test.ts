import { afterEach, describe, expect, it } from 'vitest';
import { PLANTED } from '../../../src/sandbox/generate.ts';
import { expectWrittenAsAnalysed, kamOf, sampleOrg, startWorld, writeCalls, type World } from './harness.ts';

// More accounts than one REST batch (200), so that accounts, with their multi-line KAM_Reasons__c,
// are read back through Bulk API 2.0 CSV too.
const SEED = sampleOrg(230);
let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('Salesforce end to end: Bulk API 2.0', () => {
  it('reads large streams through Bulk 2.0 query and writes through Bulk 2.0 ingest, to the same end state', async () => {
    const w = await startWorld(SEED, { bulkQueryPageSize: 100 }, { bulkReadThreshold: 50, bulkPageSize: 100, bulkWriteThreshold: 10, pageSize: 200 });
    world = w;
    await (await w.connector()).provision();
    const lockedSeedId = `${PLANTED.key18}-07`;
    const locked = w.sb.ids.salesforce.accounts[lockedSeedId] ?? '';
    w.sb.setFaults({ salesforce: { lockedRecords: [locked] } });
    w.sb.resetCalls();
    const run = await w.sync({ confirm: true });
    expect(run.run.status).toBe('succeeded');
    expect(run.run.counts).toMatchObject({ written: 229, failed: 1 });
    const usage = run.run.apiUsage;
    // Accounts, contacts, opportunities and line items (read by opportunity) pass the threshold.
    expect(usage['bulkQuery']).toBe(4);
    expect(usage['bulkQueryResults']).toBeGreaterThanOrEqual(3 + 7 + 7 + 23);
    expect(usage['bulkIngest']).toBeGreaterThanOrEqual(1);
    // The locked row failed inside the job; its failed result was read back and retried on its own.
    const failed = (await w.store.listWrites(run.run.id)).filter((x) => x.status !== 'ok');
    expect(failed.map((f) => [f.accountId, f.code, f.errorKind])).toEqual([[locked, 'UNABLE_TO_LOCK_ROW', 'transient']]);
    expect(kamOf(w.sb, lockedSeedId)['KAM_Tier__c']).toBeNull();
    expect(kamOf(w.sb, PLANTED.key18)['KAM_Tier__c']).toBe('Key');

    w.sb.setFaults({});
    const second = await w.sync();
    expect(second.run.counts).toMatchObject({ written: 1, failed: 0 });
    expectWrittenAsAnalysed(w, SEED);

    w.sb.resetCalls();
    const third = await w.sync({ full: true });
    expect(third.run.status).toBe('succeeded');
    expect(third.run.apiUsage['bulkQuery']).toBe(4);
    expect(third.run.counts.swept).toBe(0);
    expect(third.plan?.writes).toEqual([]);
    expect(writeCalls(w.sb.calls())).toBe(0);
    expect(w.sb.calls()['salesforce.bulkQuery']).toBeGreaterThan(0);
  });
});
