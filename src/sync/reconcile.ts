import type { CrmKind } from '../../connectors/connector.ts';
import type { ConnectionRecord, Store } from '../store/types.ts';

/**
 * Hours between full pulls when the connection sets none. HubSpot does not move a record's
 * modified date when its associations change (a company's parent, a deal's company), so only a
 * full pull sees those: daily. Salesforce stamps the changed record, so incremental pulls see
 * nearly everything; a weekly full pull still catches deletions purged from the recycle bin
 * before an incremental pull saw them.
 */
export const DEFAULT_FULL_SYNC_EVERY_HOURS: Record<CrmKind, number | null> = { salesforce: 168, hubspot: 24 };

/** The connection's period: a positive `fullSyncEveryHours`, off for 0 or null, else the CRM's default. */
export function fullSyncPeriodHours(connection: ConnectionRecord): number | null {
  const option = connection.options['fullSyncEveryHours'];
  if (typeof option === 'number' && Number.isFinite(option) && option > 0) return option;
  if (option === 0 || option === null) return null;
  return DEFAULT_FULL_SYNC_EVERY_HOURS[connection.crm];
}

/** True when a sync should pull everything again; never before a first successful sync. */
export async function fullReconcileDue(store: Store, connection: ConnectionRecord, now: Date): Promise<boolean> {
  const hours = fullSyncPeriodHours(connection);
  if (hours === null) return false;
  const last = await store.lastFullPullAt(connection.id);
  return last !== null && now.getTime() - Date.parse(last) >= hours * 3_600_000;
}
