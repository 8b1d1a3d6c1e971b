import type { CrmKind } from '../../connectors/connector.ts';
import type { ConnectionRecord, Store } from '../store/types.ts';

/**
 * Hours between full pulls when the connection sets none. HubSpot does not move a record's
 * modified date when its associations change (a company's parent, a deal's company), so only a
 * full pull sees those; Salesforce stamps the changed record, so incremental pulls suffice.
 */
export const DEFAULT_FULL_SYNC_EVERY_HOURS: Record<CrmKind, number | null> = { salesforce: null, hubspot: 24 };

/** The connection's period: a positive `fullSyncEveryHours`, off for 0 or null, else the CRM's default. */
export function fullSyncPeriodHours(connection: ConnectionRecord): number | null {
  const option = connection.options['fullSyncEveryHours'];
  if (typeof option === 'number' && Number.isFinite(option) && option > 0) return option;
  if (option === 0 || option === null) return null;
  return DEFAULT_FULL_SYNC_EVERY_HOURS[connection.crm];
}

/**
 * True when a sync should pull everything again: the period has passed since the last
 * successful full sync (or, if none was asked for, since the first successful sync, which
 * pulled every stream in full). Never before a first successful sync.
 */
export async function fullReconcileDue(store: Store, connection: ConnectionRecord, now: Date): Promise<boolean> {
  const hours = fullSyncPeriodHours(connection);
  if (hours === null) return false;
  const runs = (await store.listRuns({ connectionId: connection.id })).filter((r) => r.kind === 'sync' && r.status === 'succeeded' && !r.dryRun);
  if (runs.length === 0) return false;
  const full = runs.filter((r) => r.mode === 'full').map((r) => Date.parse(r.startedAt));
  const since = full.length > 0 ? Math.max(...full) : Math.min(...runs.map((r) => Date.parse(r.startedAt)));
  return now.getTime() - since >= hours * 3_600_000;
}
