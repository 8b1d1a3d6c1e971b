import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SOURCE_KINDS, createConnector, sourceProfile } from '../../connectors/registry.ts';
import { OBJECT_KINDS, type Connector, type Cursor, type ObjectKind, type PullPage } from '../../src/contract/connector.ts';
import { CrmError } from '../../src/contract/errors.ts';
import { silentLogger } from '../../src/log.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { analyzeWithStoredConfig } from '../../src/sync/analyze-adapter.ts';
import { runSync } from '../../src/sync/pipeline.ts';
import type { ContractWorld } from './harness.ts';
import { HARNESSES } from './harnesses/index.ts';

/**
 * The contract every registered source passes, each through its own harness: the real
 * connector against a live instance of the source.
 */

const worlds: ContractWorld[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await w.close();
});

async function pages(c: Connector, options: Parameters<Connector['pull']>[0]): Promise<PullPage[]> {
  const out: PullPage[] = [];
  for await (const p of c.pull(options)) out.push(p);
  return out;
}

const idsOf = (ps: readonly PullPage[]): string[] => [...new Set(ps.flatMap((p) => p.records.map((r) => r.id)))].sort();
const byObject = (ps: readonly PullPage[], o: ObjectKind): PullPage[] => ps.filter((p) => p.object === o);

describe.each(SOURCE_KINDS.map((kind) => [kind]))('connector contract: %s', (kind) => {
  const start = async (): Promise<ContractWorld> => {
    const w = await HARNESSES[kind].start();
    worlds.push(w);
    return w;
  };

  it('a full pull completes: every stream in order, each ending with fullPullComplete, every seeded account there', async () => {
    const w = await start();
    const all = await pages(w.connector(), { mode: 'full', cursors: {} });
    expect([...new Set(all.map((p) => p.object))]).toEqual([...OBJECT_KINDS]);
    for (const o of OBJECT_KINDS) expect(byObject(all, o).at(-1)?.fullPullComplete).toBe(true);
    expect(idsOf(byObject(all, 'accounts'))).toHaveLength(w.seed.accounts.length);
    expect(idsOf(byObject(all, 'accounts'))).toEqual(w.seed.accounts.map((a) => w.accountId(a.id)).sort());
  });

  it('a full pull resumed from any saved cursor gives the same set of records', async () => {
    const w = await start();
    const all = await pages(w.connector(), { mode: 'full', cursors: {} });
    let resumed = 0;
    for (const o of OBJECT_KINDS) {
      const stream = byObject(all, o);
      // Every cursor but the last one (after it there is nothing left to read).
      for (let i = 0; i < stream.length - 1; i++) {
        const cursor = stream[i]?.cursor as Cursor;
        const rest = await pages(w.connector(), { mode: 'full', cursors: { [o]: cursor }, objects: [o] });
        expect(rest.at(-1)?.fullPullComplete).toBe(true);
        expect([...new Set([...idsOf(stream.slice(0, i + 1)), ...idsOf(rest)])].sort()).toEqual(idsOf(stream));
        resumed += 1;
      }
    }
    // The harness pages small enough for there to be resume points.
    expect(resumed).toBeGreaterThan(0);
  });

  it('an incremental pull from the saved cursors sees an edit', async () => {
    const w = await start();
    const all = await pages(w.connector(), { mode: 'full', cursors: {} });
    const cursors: Partial<Record<ObjectKind, Cursor>> = {};
    for (const o of OBJECT_KINDS) {
      const last = byObject(all, o).at(-1);
      if (last) cursors[o] = last.cursor;
    }
    const seedId = w.seed.accounts[3]?.id ?? '';
    w.renameAccount(seedId, 'Renamed Holding');
    const later = await pages(w.connector(), { mode: 'incremental', cursors, objects: ['accounts'] });
    const edited = later.flatMap((p) => p.records).find((r) => r.id === w.accountId(seedId));
    expect(edited && 'name' in edited ? edited.name : null).toBe('Renamed Holding');
  });

  it('a bad record comes back as a RecordIssue, the rest of the pull goes on', async () => {
    const w = await start();
    const bad = w.addUnmappableRecord();
    const all = await pages(w.connector(), { mode: 'full', cursors: {}, objects: [bad.object] });
    const issues = all.flatMap((p) => p.issues);
    expect(issues.filter((i) => i.recordId === bad.id)).toHaveLength(1);
    expect(issues.find((i) => i.recordId === bad.id)?.object).toBe(bad.object);
    expect(idsOf(all)).not.toContain(bad.id);
    expect(idsOf(all).length).toBeGreaterThan(10);
    expect(all.at(-1)?.fullPullComplete).toBe(true);
  });

  it('provisioning twice creates nothing the second time', async () => {
    const w = await start();
    const first = await w.connector().provision();
    expect(first.fields.filter((f) => f.status === 'failed' || f.status === 'wrong-type')).toEqual([]);
    expect(first.fields.some((f) => f.status === 'created')).toBe(true);
    const second = await w.connector().provision();
    expect(second.fields.map((f) => f.status).filter((s) => s !== 'exists')).toEqual([]);
    expect(second.steps.filter((s) => s.status === 'created' || s.status === 'failed')).toEqual([]);
  });

  it('one outcome per write, in plan order, whatever each record meets', async () => {
    const w = await start();
    await w.connector().provision();
    const ids = w.seed.accounts.slice(0, 3).map((a) => w.accountId(a.id));
    const writes = [
      ...ids.map((accountId) => ({ accountId, fields: { kam_score: 42 } })),
      { accountId: ids[0] ?? '', fields: {} },
      { accountId: `${ids[1] ?? ''}9`.slice(-(ids[1] ?? '').length).replace(/./, '0'), fields: { kam_score: 1 } },
    ];
    const plan = { writes: [writes[0], writes[3], writes[1], writes[4], writes[2]].filter((x) => x !== undefined) };
    const outcomes = await w.connector().push(plan);
    expect(outcomes.map((o) => o.accountId)).toEqual(plan.writes.map((x) => x.accountId));
    expect(outcomes.filter((o) => ids.includes(o.accountId)).every((o) => o.ok)).toBe(true);
    expect(outcomes[3]?.ok).toBe(false);
  });

  it('an API limit before any write stops the push with a resumable CrmError; a pull stopped by it resumes from its cursor', async (ctx) => {
    const w = await start();
    const { exhaustApiAfter, restoreApi } = w;
    // A source without an API allowance (a file) has nothing to run out: skipped, not passed.
    if (!exhaustApiAfter || !restoreApi) return ctx.skip();
    await w.connector().provision();
    exhaustApiAfter(0);
    const push = w.connector().push({ writes: [{ accountId: w.accountId(w.seed.accounts[0]?.id ?? ''), fields: { kam_score: 7 } }] });
    await expect(push).rejects.toSatisfy((e: unknown) => e instanceof CrmError && e.kind === 'api-limit' && e.resumable);
    restoreApi();

    const full = await pages(w.connector(), { mode: 'full', cursors: {}, objects: ['lineItems'] });
    const got: PullPage[] = [];
    exhaustApiAfter(4);
    let stopped: unknown = null;
    try {
      for await (const p of w.connector().pull({ mode: 'full', cursors: {}, objects: ['lineItems'] })) got.push(p);
    } catch (e) {
      stopped = e;
    }
    expect(stopped instanceof CrmError && stopped.kind === 'api-limit').toBe(true);
    restoreApi();
    const last = got.at(-1);
    const rest = await pages(w.connector(), { mode: 'full', cursors: last ? { lineItems: last.cursor } : {}, objects: ['lineItems'] });
    expect([...new Set([...idsOf(got), ...idsOf(rest)])].sort()).toEqual(idsOf(full));
  });

  it("Kamflow's own write-back plans nothing on the next run", async () => {
    const w = await start();
    const dir = mkdtempSync(join(tmpdir(), 'kamflow-contract-'));
    const store = new SqliteStore({ path: join(dir, 'kamflow.db'), encryptionKey: Buffer.alloc(32, 9).toString('base64') });
    try {
      await w.connector().provision();
      await store.createConnection(w.connection);
      const deps = {
        store, profileOf: sourceProfile, analyze: analyzeWithStoredConfig, logger: silentLogger,
        connectorFactory: (c: Parameters<typeof createConnector>[0], cred: Parameters<typeof createConnector>[1], onTokens: Parameters<typeof createConnector>[2]) =>
          createConnector(c, cred, onTokens, silentLogger),
      };
      const first = await runSync(deps, { connectionId: w.connection.id ?? '', asOf: '2026-06-30', confirm: true });
      expect(first.run.status).toBe('succeeded');
      expect(first.run.counts.written).toBeGreaterThan(0);
      const second = await runSync(deps, { connectionId: w.connection.id ?? '', asOf: '2026-06-30' });
      expect(second.run.status).toBe('succeeded');
      expect([second.run.counts.plannedAccounts, second.run.counts.written]).toEqual([0, 0]);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
