import { expect, it } from 'vitest';
import type { Connector, WriteOutcome, WritePlanForConnector } from '../../../src/contract/connector.ts';
import { CrmError } from '../../../src/contract/errors.ts';
import { emptyCounts } from '../../../src/contract/runs.ts';
import type { PlannedAccountWrite } from '../../../src/sync/planner.ts';
import { pushPlan } from '../../../src/sync/push.ts';
import { describeStores } from '../../support/stores.ts';
import { account, accountsPage } from '../store/records.ts';

const IDS = Array.from({ length: 10 }, (_, i) => `A${i}`);

function writes(): PlannedAccountWrite[] {
  return IDS.map((accountId) => ({ accountId, fields: { kam_tier: 'Key' }, previous: { kam_tier: 'Standard' }, changes: [] }) as unknown as PlannedAccountWrite);
}

/** A connector whose push answers after the test lets it, counting the calls on the way. */
function slowConnector(delayMs: (call: number) => number, fail?: { call: number; error: Error }): { connector: Connector; calls: string[][]; maxInFlight: () => number } {
  let inFlight = 0;
  let max = 0;
  const calls: string[][] = [];
  const connector = {
    push: async (plan: WritePlanForConnector): Promise<WriteOutcome[]> => {
      // The chunk's index, from its first account's number and the chunk size (full chunks).
      const call = Number((plan.writes[0]?.accountId ?? 'A0').slice(1)) / plan.writes.length;
      calls.push(plan.writes.map((w) => w.accountId));
      inFlight++;
      max = Math.max(max, inFlight);
      await new Promise((r) => setTimeout(r, delayMs(call)));
      inFlight--;
      if (fail && call === fail.call) throw fail.error;
      return plan.writes.map((w) => ({ accountId: w.accountId, ok: true }));
    },
  } as unknown as Connector;
  return { connector, calls, maxInFlight: () => max };
}

describeStores('push: chunks on the way at once', (h) => {
  async function setUp(): Promise<Awaited<ReturnType<typeof h.open>>> {
    const store = await h.open();
    await store.createConnection({ crm: 'hubspot', baseUrl: 'https://api.hubapi.com', id: 'c1' });
    await store.createRun({ id: 'r1', connectionId: 'c1', kind: 'sync', mode: 'incremental', dryRun: false, asOf: '2026-06-30', startedAt: '2026-06-30T08:00:00.000Z' });
    await store.checkpointPage(accountsPage(IDS.map((id) => account(id, { kam_tier: 'Standard' }))));
    return store;
  }

  it('sends at most the allowed number at once and records every chunk, whatever order they come back in', async () => {
    const store = await setUp();
    // Later calls answer sooner, so chunks come back out of order.
    const { connector, calls, maxInFlight } = slowConnector((call) => 30 - call * 5);
    const counts = emptyCounts();
    let beats = 0;
    const sent: number[] = [];
    await pushPlan({
      store, connector, connectionId: 'c1', runId: 'r1', batchSize: 2, concurrency: 3, counts, now: () => new Date('2026-06-30T08:01:00.000Z'),
      heartbeat: async () => { beats++; }, onProgress: (e) => { if (e.stage === 'push') sent.push(e.sent); },
    }, writes());
    expect(calls).toHaveLength(5);
    expect(calls.flat().sort()).toEqual([...IDS].sort());
    expect(maxInFlight()).toBe(3);
    expect(counts.written).toBe(10);
    expect(beats).toBe(5);
    expect(sent).toEqual([2, 4, 6, 8, 10]);
    expect((await store.listWrites('r1')).every((w) => w.status === 'ok')).toBe(true);
    expect((await store.fieldMemory('c1')).map((m) => m.accountId).sort()).toEqual([...IDS].sort());
  });

  it('starts no chunk after one is refused, records the ones on the way, leaves the rest pending and stops with that error', async () => {
    const store = await setUp();
    const limit = new CrmError('api-limit', 'daily limit reached', { code: 'DAILY' });
    // The first call is refused at once; the two sent beside it take longer.
    const { connector, calls } = slowConnector((call) => (call === 0 ? 2 : 40), { call: 0, error: limit });
    const counts = emptyCounts();
    const run = pushPlan({
      store, connector, connectionId: 'c1', runId: 'r1', batchSize: 2, concurrency: 3, counts, now: () => new Date('2026-06-30T08:01:00.000Z'),
      heartbeat: async () => undefined,
    }, writes());
    await expect(run).rejects.toBe(limit);
    expect(calls.map((c) => c.join()).sort()).toEqual(['A0,A1', 'A2,A3', 'A4,A5']);
    const statuses = Object.fromEntries((await store.listWrites('r1')).map((w) => [w.accountId, w.status]));
    expect(statuses).toEqual({
      A0: 'pending', A1: 'pending', A2: 'ok', A3: 'ok', A4: 'ok', A5: 'ok', A6: 'pending', A7: 'pending', A8: 'pending', A9: 'pending',
    });
    expect(counts.written).toBe(4);
  });

  it('sends one chunk at a time when the source allows no more', async () => {
    const store = await setUp();
    const { connector, calls, maxInFlight } = slowConnector(() => 5);
    await pushPlan({
      store, connector, connectionId: 'c1', runId: 'r1', batchSize: 3, counts: emptyCounts(), now: () => new Date('2026-06-30T08:01:00.000Z'),
      heartbeat: async () => undefined,
    }, writes());
    expect(maxInFlight()).toBe(1);
    expect(calls).toEqual([['A0', 'A1', 'A2'], ['A3', 'A4', 'A5'], ['A6', 'A7', 'A8'], ['A9']]);
  });
});
