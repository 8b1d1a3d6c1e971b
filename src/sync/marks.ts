import type { ChangeMark, Store } from '../store/types.ts';
import type { ObjectKind } from '../contract/connector.ts';

/**
 * Applies what webhooks told us before a sync pulls. Deletions go straight into the mirror,
 * because incremental pulls do not list deleted records everywhere; a stream not mirrored yet
 * needs nothing (its first full pull will not see the record). Returns the change marks the
 * coming pull covers: the caller clears them once the pull has gone through.
 */
export async function applyDeletionMarks(store: Store, connectionId: string): Promise<ChangeMark[]> {
  const marks = await store.listChangeMarks(connectionId);
  if (marks.length === 0) return [];
  const states = await store.getStreamStates(connectionId);
  const byObject = new Map<ObjectKind, ChangeMark[]>();
  for (const m of marks) if (m.deleted) byObject.set(m.object, [...(byObject.get(m.object) ?? []), m]);
  for (const [object, deleted] of byObject) {
    const state = states[object];
    if (state && state.cursor !== null) {
      await store.checkpointPage({
        connectionId, object, records: [], deletedIds: deleted.map((m) => m.id), cursor: state.cursor,
        phase: state.phase, sweepToken: state.sweepToken, sweep: false,
      });
    }
    await store.clearChangeMarks(connectionId, deleted);
  }
  return marks.filter((m) => !m.deleted);
}
