import type { ConnectionSyncOptions } from '../contract/sync-options.ts';
import type { ConnectionRecord, Store } from '../store/types.ts';

/**
 * The connection's period: a positive `fullSyncEveryHours`, off for 0 or null, else the
 * source's default (its module's profile): incremental pulls cannot see everything, e.g.
 * association changes that move no modified date, or deletions purged before a pull saw them.
 */
export function fullSyncPeriodHours(options: ConnectionSyncOptions, sourceDefault: number | null): number | null {
  const option = options.fullSyncEveryHours;
  if (typeof option === 'number' && option > 0) return option;
  if (option === 0 || option === null) return null;
  return sourceDefault;
}

/** True when a sync should pull everything again; never before a first successful sync. */
export async function fullReconcileDue(store: Store, connection: ConnectionRecord, hours: number | null, now: Date): Promise<boolean> {
  if (hours === null) return false;
  const last = await store.lastFullPullAt(connection.id);
  return last !== null && now.getTime() - Date.parse(last) >= hours * 3_600_000;
}
