import type { AnalysisConfig } from '../config/analysis-config.ts';
import type { AnalysisIssue } from '../model/insights.ts';
import type { Contact } from '../model/snapshot.ts';
import { CONTACT_ACTIVE, CONTACT_REFERENCEABLE, type ContactColumns } from './input.ts';

/** Active and referenceable contacts per account. A contact without an account counts nowhere. */
export interface ContactCounts {
  active: Int32Array;
  referenceable: Int32Array;
  issues: AnalysisIssue[];
}

export function countContacts(contacts: readonly Contact[], indexOf: ReadonlyMap<string, number>, n: number): ContactCounts {
  const active = new Int32Array(n);
  const referenceable = new Int32Array(n);
  const issues: AnalysisIssue[] = [];
  for (const c of contacts) {
    if (c.accountId === null || c.accountId === '') continue;
    const i = indexOf.get(c.accountId);
    if (i === undefined) {
      issues.push({ kind: 'unknown-account', recordId: c.id, message: `contact ${c.id} points at unknown account ${c.accountId}; left out` });
      continue;
    }
    // A contact who has left no longer holds the relationship, whatever they once gave.
    if (!c.active) continue;
    active[i] = (active[i] as number) + 1;
    if (c.referenceable) referenceable[i] = (referenceable[i] as number) + 1;
  }
  return { active, referenceable, issues };
}

/** The same counts from the analysis's columns (unknown accounts are reported with the references). */
export function countContactColumns(contacts: ContactColumns, accountOf: Int32Array, n: number): ContactCounts {
  const active = new Int32Array(n);
  const referenceable = new Int32Array(n);
  const { account, flags } = contacts;
  for (let k = 0; k < account.length; k++) {
    const ref = account[k] as number;
    const f = flags[k] as number;
    if (ref === -1 || (f & CONTACT_ACTIVE) === 0) continue;
    const i = accountOf[ref] as number;
    if (i === -1) continue;
    active[i] = (active[i] as number) + 1;
    if (f & CONTACT_REFERENCEABLE) referenceable[i] = (referenceable[i] as number) + 1;
  }
  return { active, referenceable, issues: [] };
}

/** "2 contacts (target 3-5)". */
export function coverageText(count: number, coverage: AnalysisConfig['coverage']): string {
  return `${count} contact${count === 1 ? '' : 's'} (target ${coverage.min}-${coverage.max})`;
}
