import type { AnalysisIssue } from '../model/insights.ts';
import type { RejectedRecord } from '../model/snapshot.ts';
import { compareStrings } from './format.ts';

export function rejectedIssues(rejected: readonly RejectedRecord[]): AnalysisIssue[] {
  return rejected.map((r) => ({
    kind: 'rejected-record',
    recordId: r.id,
    message: `${r.kind} ${r.id ?? `at index ${r.index}`} rejected: ${r.reason}`,
  }));
}

/** By kind, record id (none first), message: the order must not depend on the input's. */
export function sortIssues(issues: AnalysisIssue[]): AnalysisIssue[] {
  return issues.sort(
    (a, b) =>
      compareStrings(a.kind, b.kind) ||
      (a.recordId === b.recordId ? 0 : a.recordId === null ? -1 : b.recordId === null ? 1 : compareStrings(a.recordId, b.recordId)) ||
      compareStrings(a.message, b.message),
  );
}
