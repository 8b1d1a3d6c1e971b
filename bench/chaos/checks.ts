import { createConnector, sourceProfile } from '../../connectors/registry.ts';
import { silentLogger } from '../../src/log.ts';
import type { OutputFieldKey } from '../../src/model/output-fields.ts';
import { loadMirrorKind } from '../../src/store/read-mirror.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/types.ts';
import { analyzeWithStoredConfig } from '../../src/sync/analyze-adapter.ts';
import { runSync } from '../../src/sync/pipeline.ts';
import { sameFieldValue, type FieldValue } from '../../src/sync/planner.ts';
import { AS_OF, KEY, type Crm, type World } from './world.ts';

/**
 * The invariants checked after every cycle, each returning one line per violation:
 * - the CRM holds what one clean run computes, except fields a person typed, which hold what
 *   the person typed (a dry run of a brand-new connection, with no memory, over a full pull);
 * - every value Kamflow remembers writing is in the CRM (so every applied write is known, as
 *   `ok` with its previous values: rollback-able), and no write is left in flight;
 * - no write was sent twice (the simulator's log of applied updates);
 * - the store passes its integrity check.
 */

/** `crm|accountId|field` of the fields a person typed, with the value typed. */
export type PersonOwned = Map<string, FieldValue>;
export const ownedKey = (crm: Crm, accountId: string, field: string): string => `${crm.kind}|${accountId}|${field}`;

/**
 * A fresh connection to the same CRM, in its own store: what one clean run would write, and what
 * it reads. It has no memory, so every value in the CRM is one it never wrote: it is told to
 * write over them, so that its plan names every field that differs from the analysis.
 */
async function cleanLook(world: World, crm: Crm, n: number): Promise<{ changes: { accountId: string; field: OutputFieldKey }[]; fields: Map<string, Record<string, FieldValue>> }> {
  const fresh = new SqliteStore({ path: `${world.dir}/check-${crm.kind}-${n}.db`, encryptionKey: KEY });
  try {
    await world.withStore(async (store) => {
      const c = await store.getConnection(crm.connectionId);
      if (!c) throw new Error(`connection ${crm.connectionId} missing`);
      const cred = await store.loadCredentials(crm.connectionId);
      await fresh.createConnection({ id: c.id, crm: c.crm, baseUrl: c.baseUrl, options: c.options, tokens: cred.tokens, clientSecret: cred.clientSecret });
    });
    const result = await runSync(
      { store: fresh, connectorFactory: (c, cred, onTokens) => createConnector(c, cred, onTokens, silentLogger), profileOf: sourceProfile, analyze: analyzeWithStoredConfig, logger: silentLogger },
      { connectionId: crm.connectionId, dryRun: true, full: true, asOf: AS_OF, overwriteEdits: true },
    );
    if (result.run.status !== 'succeeded') throw new Error(`the check's clean dry run on ${crm.kind} ended ${result.run.status}: ${result.message}`);
    const changes = (result.plan?.writes ?? []).flatMap((w) => w.changes.map((c) => ({ accountId: w.accountId, field: c.field })));
    const fields = new Map<string, Record<string, FieldValue>>();
    for (const raw of await loadMirrorKind(fresh, crm.connectionId, 'accounts')) {
      const a = raw as { id: string; fields: Record<string, FieldValue> };
      fields.set(a.id, a.fields);
    }
    return { changes, fields };
  } finally {
    await fresh.close();
  }
}

export async function checkCrm(world: World, crm: Crm, owned: PersonOwned, n: number): Promise<string[]> {
  const problems: string[] = [];
  const look = await cleanLook(world, crm, n);
  for (const c of look.changes) {
    if (c.field === 'kam_updated_at') continue;
    if (!owned.has(ownedKey(crm, c.accountId, c.field))) {
      problems.push(`${crm.kind} ${c.accountId} ${c.field}: holds ${JSON.stringify(look.fields.get(c.accountId)?.[c.field] ?? null)}, not what a clean run computes`);
    }
  }
  for (const [key, typed] of owned) {
    const [kind, accountId = '', field = ''] = key.split('|');
    if (kind !== crm.kind) continue;
    const now = look.fields.get(accountId)?.[field] ?? null;
    if (!sameFieldValue(field as OutputFieldKey, now, typed)) problems.push(`${crm.kind} ${accountId} ${field}: a person typed ${JSON.stringify(typed)}, it now holds ${JSON.stringify(now)}`);
  }
  await world.withStore(async (store) => {
    problems.push(...(await memoryProblems(store, crm, look.fields, owned)));
    problems.push(...(await store.checkIntegrity()).map((p) => `store: ${p}`));
  });
  return problems;
}

async function memoryProblems(store: Store, crm: Crm, fields: Map<string, Record<string, FieldValue>>, owned: PersonOwned): Promise<string[]> {
  const problems: string[] = [];
  for (const m of await store.fieldMemory(crm.connectionId)) {
    if (owned.has(ownedKey(crm, m.accountId, m.field))) continue;
    const now = fields.get(m.accountId)?.[m.field] ?? null;
    if (!sameFieldValue(m.field as OutputFieldKey, now, m.value)) {
      problems.push(`${crm.kind} ${m.accountId} ${m.field}: Kamflow remembers writing ${JSON.stringify(m.value)} (run ${m.runId}), the CRM holds ${JSON.stringify(now)}`);
    }
  }
  const inFlight = await store.listInFlightWrites(crm.connectionId);
  if (inFlight.length > 0) problems.push(`${crm.kind}: ${inFlight.length} write(s) still in flight after a clean run`);
  return problems;
}

/**
 * The simulator's log of applied updates to accounts, Kamflow's fields only and without the
 * write stamp: the same values applied twice in a row to one account, with nothing but
 * Kamflow in between, is a write sent twice.
 */
export class WriteLog {
  private readonly last = new Map<string, string>();
  /** Set while the harness edits as a person: those updates reset the account's history. */
  personEditing = false;
  readonly twice: string[] = [];
  applied = 0;

  listener = (crm: string, object: string, id: string, values: Record<string, unknown>): void => {
    if (object !== 'Account' && object !== 'companies') return;
    const kam = Object.entries(values).filter(([k]) => /^kam_/i.test(k) && !/^kam_updated_at(__c)?$/i.test(k)).sort(([a], [b]) => a.localeCompare(b));
    if (kam.length === 0) return;
    const key = `${crm}|${id}`;
    if (this.personEditing) {
      this.last.delete(key);
      return;
    }
    this.applied += 1;
    const payload = JSON.stringify(kam);
    if (this.last.get(key) === payload) this.twice.push(`${crm} ${id}: the same values were written twice in a row: ${payload.slice(0, 160)}`);
    this.last.set(key, payload);
  };
}
