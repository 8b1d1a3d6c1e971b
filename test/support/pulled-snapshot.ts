import type { PullPage, SourceId } from '../../src/contract/connector.ts';
import type { ParsedSnapshot } from '../../src/model/snapshot.ts';
import { snapshotFromMirror } from '../../src/store/snapshot-from-mirror.ts';
import type { MirrorContents } from '../../src/store/types.ts';

const byId = (a: unknown, b: unknown): number => {
  const x = (a as { id: string }).id;
  const y = (b as { id: string }).id;
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * Pulled pages put together exactly as the sync engine does: into a mirror (records in id
 * order, as the store returns them), then through `snapshotFromMirror`.
 */
export function snapshotFromPages(pages: PullPage[], source: SourceId, currency: string): ParsedSnapshot {
  const mirror: MirrorContents = { users: [], products: [], accounts: [], contacts: [], opportunities: [], lineItems: [], contactRoles: [] };
  for (const p of pages) mirror[p.object].push(...p.records);
  for (const list of Object.values(mirror)) list.sort(byId);
  return snapshotFromMirror(mirror, source, currency);
}
