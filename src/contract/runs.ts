import type { ObjectKind } from './connector.ts';

/** What a run did, counted as it goes; stored with the run. */
export interface RunCounts {
  pulled: Partial<Record<ObjectKind, number>>;
  deleted: number;
  swept: number;
  pullIssues: number;
  rejected: number;
  accounts: number;
  plannedAccounts: number;
  plannedFields: number;
  written: number;
  failed: number;
  unchangedAccounts: number;
  /** Fields someone else changed since Kamflow wrote them (kept or overwritten by policy). */
  conflicts: number;
  /** Accounts held back because their last write was refused for good (quarantine). */
  quarantined: number;
  /** Writes sent whose answer was lost; the next run checks them against the CRM. */
  unconfirmed: number;
  /** Text values cut to their field's length. */
  truncated: number;
  /** While the run goes: its stage and how far it got (stored every few seconds; never on a finished run). */
  progress?: RunProgress;
}

/** Where a running run is: the stage, the object being pulled, and done of total where known. */
export interface RunProgress {
  stage: 'pull' | 'analyze' | 'plan' | 'push';
  object?: string;
  done: number;
  total?: number;
  /** When this was recorded (ISO). */
  at: string;
}

export function emptyCounts(): RunCounts {
  return { pulled: {}, deleted: 0, swept: 0, pullIssues: 0, rejected: 0, accounts: 0, plannedAccounts: 0, plannedFields: 0, written: 0, failed: 0, unchangedAccounts: 0, conflicts: 0, quarantined: 0, unconfirmed: 0, truncated: 0 };
}
