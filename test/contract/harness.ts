import type { Connector, ObjectKind } from '../../src/contract/connector.ts';
import type { NewConnection } from '../../src/store/types.ts';
import type { Snapshot } from '../../src/model/snapshot.ts';

/**
 * What a source gives the connector contract suite: a live instance of the source (for the
 * CRMs, the project's simulator) seeded with a small sample org, reached by the real connector.
 */
export interface ContractWorld {
  /** The seed the source was filled with (model ids). */
  seed: Snapshot;
  /** The connection as `kamflow connect` would store it. */
  connection: NewConnection & { crm: string };
  /** A fresh connector on the connection (its own usage count). */
  connector(): Connector;
  /** The source's id of a seeded account. */
  accountId(seedAccountId: string): string;
  /** Renames an account in the source as a person would (its modified stamp moves). */
  renameAccount(seedAccountId: string, name: string): void;
  /** Adds a record the mapping cannot use (an opportunity without an account); returns its stream and source id. */
  addUnmappableRecord(): { object: ObjectKind; id: string };
  /**
   * The source's API allowance runs out after `calls` more calls. Both absent for a source that
   * has no allowance to run out (a file): the suite skips that case and says why.
   */
  exhaustApiAfter?(calls: number): void;
  /** A new day: the allowance is back. */
  restoreApi?(): void;
  close(): Promise<void>;
}

export interface ContractHarness {
  start(): Promise<ContractWorld>;
}
