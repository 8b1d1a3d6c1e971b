import { OBJECT_KINDS, type Connector } from '../contract/connector.ts';
import type { Store } from '../store/types.ts';

/**
 * After a sync's push, lets the connector note its own writes in the streams' saved cursors, so
 * the next incremental pull does not read back what the mirror already holds. A stream in the
 * middle of a full pull is left alone: it reads everything anyway.
 */
export async function noteOwnWrites(store: Store, connector: Connector, connectionId: string): Promise<void> {
  if (!connector.noteOwnWrites) return;
  const states = await store.getStreamStates(connectionId);
  for (const object of OBJECT_KINDS) {
    const state = states[object];
    if (!state || state.phase !== 'incremental' || state.cursor === null) continue;
    const cursor = connector.noteOwnWrites(object, state.cursor);
    if (cursor === null) continue;
    await store.checkpointPage({ connectionId, object, records: [], deletedIds: [], cursor, phase: 'incremental', sweepToken: null, sweep: false });
  }
}
