import { salesforceOutputField } from '../../mappings/salesforce-output.ts';
import type { OutputFieldKey } from '../../src/model/output-fields.ts';
import { createPrng, type Prng } from '../../src/sandbox/prng.ts';
import type { FieldValue } from '../../src/sync/planner.ts';
import { checkCrm, ownedKey, WriteLog, type PersonOwned } from './checks.ts';
import { AS_OF, runKamflow, startChaosWorld, type ChaosStore, type Crm, type World } from './world.ts';

/**
 * The seeded chaos run. Each cycle, per CRM: maybe a deal changes (so there is something to
 * write), maybe a rep types into a Kamflow field, then a sync under random 429s, 5xx, expired
 * tokens, a locked record, answers dropped after the CRM applied a write and malformed answers
 * (a 200 with its JSON cut short, an HTML page, JSON as text/plain), killed (SIGKILL) at a
 * random API call or not; maybe a rollback of a random earlier run, under the same faults and
 * maybe killed too; then one clean sync and the invariants (checks.ts). A killed run's lock is
 * left as it was: the next run must take it over itself, and a run refused as busy is a
 * violation. The choices follow
 * the seed; when a kill lands in wall-clock terms does not, so two runs of one seed may differ
 * in what a killed run got done.
 */

export interface ChaosOptions {
  seed: number;
  cycles: number;
  accounts: number;
  /** Share of faulty syncs killed (default 0.6), and the API call by which the kill comes at the latest (default 40). */
  killShare?: number;
  killWithin?: number;
  /** Share of cycles that roll back a random earlier run (default 0.4). */
  rollbackShare?: number;
  /** The store (default a SQLite file). */
  store?: ChaosStore;
  log?: (line: string) => void;
}

export interface ChaosReport {
  cycles: number;
  runs: number;
  kills: number;
  rollbacks: number;
  rollbacksChecked: number;
  /** Runs that took over the lock of a killed run (the product's own takeover). */
  lockTakeovers: number;
  personEdits: number;
  conflicts: number;
  faults: Record<string, number>;
  writesApplied: number;
  violations: string[];
}

const TIERS = ['Key', 'Develop', 'Maintain', 'Standard'];

function pick<T>(prng: Prng, items: readonly T[]): T {
  const item = items[Math.floor(prng.next() * items.length)];
  if (item === undefined) throw new Error('nothing to pick from');
  return item;
}

function kamValue(world: World, crm: Crm, accountId: string, field: OutputFieldKey): unknown {
  if (crm.kind === 'salesforce') return world.sb.sf.record('Account', accountId)?.[salesforceOutputField(field).apiName] ?? null;
  return world.sb.hs.object('companies', accountId)?.properties[field] ?? null;
}

function editAsPerson(world: World, crm: Crm, accountId: string, field: OutputFieldKey, value: string): void {
  if (crm.kind === 'salesforce') world.sb.sf.update('Account', accountId, { [salesforceOutputField(field).apiName]: value });
  else world.sb.hs.update('companies', accountId, { [field]: value });
}

function changeDeal(world: World, crm: Crm, prng: Prng): void {
  const won = world.org.opportunities.filter((o) => o.status === 'won');
  const deal = pick(prng, won);
  const amount = Math.round((deal.amount ?? 1000) * (1.5 + prng.next() * 3));
  if (crm.kind === 'salesforce') {
    const id = world.sb.ids.salesforce.opportunities[deal.id];
    if (id) world.sb.sf.update('Opportunity', id, { Amount: amount });
  } else {
    const id = world.sb.ids.hubspot.opportunities[deal.id];
    if (id) world.sb.hs.update('deals', id, { amount: String(amount) });
  }
}

function faultsFor(world: World, crm: Crm, prng: Prng): void {
  const locked = crm.accountId(pick(prng, world.org.accounts).id);
  world.sb.setFaults({
    [crm.kind]: {
      rate429: prng.next() * 0.15, rate5xx: prng.next() * 0.15, expireTokens: prng.next() < 0.4 ? 1 : 0,
      lockedRecords: prng.next() < 0.5 ? [locked] : [], dropAfterWrite: prng.next() < 0.5 ? 0.5 : 0,
      malformedAnswer: prng.next() < 0.5 ? prng.next() * 0.08 : 0,
    },
    seed: Math.floor(prng.next() * 1e9),
  });
}

/** A run refused because a killed run's lock was not taken over. */
function busyRefusal(stderr: string): string | null {
  const line = stderr.split('\n').find((l) => / is busy: /.test(l));
  return line ?? null;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? ((): void => {});
  const prng = createPrng(options.seed);
  const world = await startChaosWorld(options.seed, options.accounts, options.store);
  const writes = new WriteLog();
  world.sb.onRecordUpdate(writes.listener);
  const owned: PersonOwned = new Map();
  const report: ChaosReport = { cycles: 0, runs: 0, kills: 0, rollbacks: 0, rollbacksChecked: 0, lockTakeovers: 0, personEdits: 0, conflicts: 0, faults: {}, writesApplied: 0, violations: [] };
  const sync = async (crm: Crm, kill?: number): Promise<void> => {
    report.runs += 1;
    const r = await runKamflow(world, ['sync', '--connection', crm.connectionId, '--as-of', AS_OF, '--confirm', '--json'], kill === undefined ? undefined : { crm: crm.kind, atCall: kill });
    if (r.killed) report.kills += 1;
    const busy = r.killed ? null : busyRefusal(r.stderr);
    if (busy) report.violations.push(`a sync of ${crm.kind} was refused as busy after a killed run: ${busy}`);
  };
  try {
    // The install: one clean sync of each CRM, before anyone edits Kamflow's fields.
    for (const crm of world.crms) await sync(crm);
    for (let cycle = 1; cycle <= options.cycles; cycle++) {
      for (const crm of world.crms) {
        if (prng.next() < 0.7) changeDeal(world, crm, prng);
        if (prng.next() < 0.5) {
          const accountId = crm.accountId(pick(prng, world.org.accounts).id);
          const field: OutputFieldKey = prng.next() < 0.5 ? 'kam_tier' : 'kam_reasons';
          const value = field === 'kam_tier' ? pick(prng, TIERS) : `typed by a rep in cycle ${cycle}`;
          if (String(kamValue(world, crm, accountId, field) ?? '') !== value) {
            writes.personEditing = true;
            editAsPerson(world, crm, accountId, field, value);
            writes.personEditing = false;
            owned.set(ownedKey(crm, accountId, field), value as FieldValue);
            report.personEdits += 1;
          }
        }
        faultsFor(world, crm, prng);
        await sync(crm, prng.next() < (options.killShare ?? 0.6) ? 1 + Math.floor(prng.next() * (options.killWithin ?? 40)) : undefined);
        if (prng.next() < (options.rollbackShare ?? 0.4)) await rollbackSome(world, crm, prng, report);
        world.sb.setFaults({});
        await sync(crm);
        const problems = await checkCrm(world, crm, owned, report.runs);
        for (const p of problems) report.violations.push(`cycle ${cycle}: ${p}`);
        log(`cycle ${cycle} ${crm.kind}: ${problems.length} violation(s)`);
      }
      report.cycles = cycle;
    }
    report.violations.push(...writes.twice);
    report.writesApplied = writes.applied;
    await world.withStore(async (store) => {
      for (const crm of world.crms) {
        for (const r of await store.listRuns({ connectionId: crm.connectionId, limit: 10_000 })) {
          report.conflicts += r.counts.conflicts;
          report.lockTakeovers += (await store.listRunIssues(r.id)).filter((i) => i.kind.startsWith('lock-taken-over')).length;
        }
      }
    });
    const injected = world.sb.injectedFaults();
    for (const byKind of Object.values(injected)) for (const [k, v] of Object.entries(byKind)) report.faults[k] = (report.faults[k] ?? 0) + v;
    return report;
  } finally {
    world.sb.onRecordUpdate(null);
    await world.close();
  }
}

/**
 * Rolls back a random earlier sync; when it finishes, every field that run wrote holds either
 * what it replaced or, reported as a conflict of the rollback, what someone put there since.
 */
async function rollbackSome(world: World, crm: Crm, prng: Prng, report: ChaosReport): Promise<void> {
  const runs = await world.withStore((s) => s.listRuns({ connectionId: crm.connectionId, limit: 10_000 }));
  const candidates = runs.filter((r) => r.kind === 'sync' && !r.dryRun && r.counts.written > 0);
  if (candidates.length === 0) return;
  const target = pick(prng, candidates);
  report.rollbacks += 1;
  report.runs += 1;
  const kill = prng.next() < 0.3 ? 1 + Math.floor(prng.next() * 30) : undefined;
  const r = await runKamflow(world, ['rollback', target.id, '--confirm', '--json'], kill === undefined ? undefined : { crm: crm.kind, atCall: kill });
  if (r.killed) {
    report.kills += 1;
    return;
  }
  const busy = busyRefusal(r.stderr);
  if (busy) report.violations.push(`a rollback on ${crm.kind} was refused as busy after a killed run: ${busy}`);
  const parsed = parseResult(r.stdout);
  if (!parsed || parsed.run.status !== 'succeeded' || parsed.run.counts.failed > 0 || parsed.run.counts.unconfirmed > 0) return;
  report.rollbacksChecked += 1;
  await world.withStore(async (store) => {
    const conflicts = new Set((await store.listFieldConflicts(parsed.run.id)).map((c) => `${c.accountId}|${c.field}`));
    for (const w of (await store.listWrites(target.id)).filter((x) => x.status === 'ok')) {
      for (const [field, wrote] of Object.entries(w.fields)) {
        if (field === 'kam_updated_at' || conflicts.has(`${w.accountId}|${field}`)) continue;
        const now = kamValue(world, crm, w.accountId, field as OutputFieldKey);
        const restore = w.previous[field as OutputFieldKey] ?? null;
        if (!sameWire(now, restore)) report.violations.push(`rollback of ${target.id} on ${crm.kind}: ${w.accountId} ${field} holds ${JSON.stringify(now)}, not the ${JSON.stringify(restore)} it replaced (it wrote ${JSON.stringify(wrote)}), and no conflict says why`);
      }
    }
  });
}

/** A CRM's raw value against a Kamflow value: blank and null equal, numbers by value. */
function sameWire(raw: unknown, value: FieldValue): boolean {
  const blank = (v: unknown): boolean => v === null || v === undefined || v === '';
  if (blank(raw) || blank(value)) return blank(raw) && blank(value) || (value === false && (raw === 'false' || raw === false));
  if (typeof value === 'number') return Math.abs(Number(raw) - value) < 1e-6;
  if (typeof value === 'boolean') return String(raw) === String(value);
  return String(raw) === value || Date.parse(String(raw)) === Date.parse(String(value));
}

function parseResult(stdout: string): { run: { id: string; status: string; counts: { failed: number; unconfirmed: number } } } | null {
  try {
    return JSON.parse(stdout) as { run: { id: string; status: string; counts: { failed: number; unconfirmed: number } } };
  } catch {
    return null;
  }
}
