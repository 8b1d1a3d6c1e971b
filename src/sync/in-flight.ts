import type { Account } from '../model/snapshot.ts';
import type { OutputFieldKey } from '../model/output-fields.ts';
import type { InFlightResolution, InFlightWrite, RunIssue, Store } from '../store/types.ts';
import { sameFieldValue } from './planner.ts';

/**
 * Writes left `sending` (the run was killed while the CRM worked, or the answer was lost) are
 * settled against the values just pulled, before anything is planned. A record update is
 * atomic in both CRMs, so a write landed when any field it changed holds the value it sent
 * (kam_updated_at, a stamp of the run, makes that near certain): it becomes `ok` with the values
 * it replaced, so it can be rolled back. Otherwise it never landed and becomes a failure the
 * plan that follows makes again if it is still needed. Nothing here is sent to the CRM.
 */

export interface Reconciled {
  applied: number;
  notApplied: number;
  /** The runs whose writes changed, their counts recomputed. */
  runs: string[];
}

function landed(w: InFlightWrite, fields: Account['fields'] | undefined): boolean {
  if (fields === undefined) return false;
  for (const [key, value] of Object.entries(w.fields)) {
    const field = key as OutputFieldKey;
    const sent = value ?? null;
    // A field whose sent value equals what it replaced proves nothing either way.
    if (sameFieldValue(field, w.previous[field] ?? null, sent)) continue;
    if (sameFieldValue(field, fields[field] ?? null, sent)) return true;
  }
  return false;
}

export async function reconcileInFlight(
  store: Store,
  connectionId: string,
  runId: string,
  mirrorAccounts: readonly Pick<Account, 'id' | 'fields'>[],
): Promise<Reconciled> {
  const inFlight = (await store.listInFlightWrites(connectionId)).filter((w) => w.runId !== runId);
  if (inFlight.length === 0) return { applied: 0, notApplied: 0, runs: [] };
  const current = new Map(mirrorAccounts.map((a) => [a.id, a.fields]));
  const resolutions: InFlightResolution[] = [];
  const issues: RunIssue[] = [];
  for (const w of inFlight) {
    const fields = current.get(w.accountId);
    const applied = landed(w, fields);
    const message = applied
      ? `run ${w.runId} stopped before the CRM confirmed this write; the CRM holds the values it sent, so it counts as written (and can be rolled back)`
      : fields === undefined
        ? `run ${w.runId} stopped before the CRM confirmed this write; the record is no longer in the CRM`
        : `run ${w.runId} stopped before the CRM confirmed this write; the CRM does not hold the values it sent, so it was not applied`;
    resolutions.push({ runId: w.runId, accountId: w.accountId, applied, code: applied ? 'CONFIRMED_AFTER_STOP' : 'NOT_APPLIED', message });
    issues.push({ stage: 'push', object: 'accounts', recordId: w.accountId, kind: applied ? 'in-flight-applied' : 'in-flight-not-applied', message });
  }
  await store.resolveInFlightWrites(connectionId, resolutions);
  await store.addRunIssues(runId, issues);
  const runs = [...new Set(inFlight.map((w) => w.runId))];
  for (const id of runs) {
    const run = await store.getRun(id);
    if (!run) continue;
    const writes = await store.listWrites(id);
    const count = (status: string): number => writes.filter((w) => w.status === status).length;
    await store.updateRun(id, { counts: { ...run.counts, written: count('ok'), failed: count('failed'), unconfirmed: count('sending') } });
  }
  const applied = resolutions.filter((r) => r.applied).length;
  return { applied, notApplied: resolutions.length - applied, runs };
}
