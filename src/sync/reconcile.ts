import type { ConnectionRecord, RunRecord, Store } from '../store/types.ts';

/**
 * Periodic full reconcile. Incremental pulls miss what a modified stamp does not show: HubSpot
 * association and line-item changes, Salesforce records hard-deleted past the recycle bin. So a
 * scheduled incremental run turns into a full pull when the last full pull is older than the
 * connection's `fullSyncEveryHours` (default one week; 0 turns it off).
 */

export const DEFAULT_FULL_SYNC_EVERY_HOURS = 168;

export function fullSyncEveryHours(connection: ConnectionRecord): number {
  const value = connection.options['fullSyncEveryHours'];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : DEFAULT_FULL_SYNC_EVERY_HOURS;
}

/**
 * When everything was last pulled in full: the latest successful full sync, or else the first
 * successful sync (a first run has no cursors, so it pulls every stream in full).
 */
export function lastFullPullAt(runs: RunRecord[]): string | null {
  const done = runs.filter((r) => r.kind === 'sync' && r.status === 'succeeded' && !r.dryRun);
  const full = done.filter((r) => r.mode === 'full').map((r) => r.startedAt).sort();
  if (full.length > 0) return full[full.length - 1] ?? null;
  const all = done.map((r) => r.startedAt).sort();
  return all[0] ?? null;
}

export async function fullReconcileDue(store: Store, connection: ConnectionRecord, now: Date): Promise<boolean> {
  const hours = fullSyncEveryHours(connection);
  if (hours === 0) return false;
  const last = lastFullPullAt(await store.listRuns({ connectionId: connection.id, limit: 1000 }));
  if (last === null) return false;
  return now.getTime() - Date.parse(last) >= hours * 3_600_000;
}
