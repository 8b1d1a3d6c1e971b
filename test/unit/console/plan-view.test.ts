import { describe, expect, it } from 'vitest';
import { planView } from '../../../src/console/runs-view.ts';
import { runPage } from '../../../src/server/views/runs.ts';
import type { RunRecord, StoredPlan } from '../../../src/store/types.ts';
import type { ConnectionHealth } from '../../../src/server/backend.ts';
import type { Session } from '../../../src/server/sessions.ts';

const run = (over: Partial<RunRecord> = {}): RunRecord => ({
  id: 'run-1', connectionId: 'c1', kind: 'sync', status: 'succeeded', mode: 'full', dryRun: true, asOf: null,
  startedAt: '2026-12-02T05:00:00.000Z', finishedAt: '2026-12-02T05:00:01.000Z',
  counts: { written: 0, unchangedAccounts: 0, failed: 0 } as RunRecord['counts'], apiUsage: {}, error: null, rollbackOf: null, ...over,
});

const long = 'Revenue share 12% of the portfolio, growth 4% a year, five open opportunities and a contract renewal due next spring.';
const plan = (accounts: number, over: Partial<StoredPlan> = {}): StoredPlan => ({
  runId: 'run-1', connectionId: 'c1', kind: 'sync', createdAt: '2026-12-02T05:00:01.000Z', reasons: ['first-plan'], accounts: accounts + 1,
  estimatedCalls: { composite: 2 }, approvedAt: null, approvedByRun: null,
  writes: Array.from({ length: accounts }, (_, i) => ({
    accountId: `001A${i}`, name: `Account ${i}`,
    changes: [{ field: 'kam_tier', from: null, to: 'Key' }, { field: 'kam_key_account', from: false, to: true }, { field: 'kam_reasons', from: long, to: long.replace('five', 'six') }],
  })),
  ...over,
});

describe('a kept plan on the run page', () => {
  it('counts per field and tier move, cuts long texts where they differ, and pages with "and N more"', () => {
    const view = planView(plan(3), run(), 2);
    expect(view).toMatchObject({ changedAccounts: 3, accounts: 4, substantiveAccounts: 3, wordingOnlyAccounts: 0, keyFlag: { on: 3, off: 0 }, hiddenAccounts: 1, canApprove: true });
    expect(view.tierChanges).toEqual({ '(none) -> Key': 3 });
    expect(view.rows).toHaveLength(6);
    const reasons = view.rows.find((r) => r.field === 'kam_reasons');
    expect(reasons?.from).toContain('five open');
    expect(reasons?.to).toContain('six open');
    expect(reasons?.from.startsWith('"…')).toBe(true);
    const session = { csrfToken: 't', user: 'admin' } as unknown as Session;
    const c = { id: 'c1', name: 'Org' } as ConnectionHealth;
    const html = runPage(session, c, { id: 'run-1', kind: 'dry-run', status: 'succeeded', trigger: 'console', startedAt: '', finishedAt: null, written: 0, unchanged: 0, failed: 0, error: null, recordErrors: [], rollbackOf: null, canRollback: false, plan: view });
    expect(html).toContain('and 1 more account(s)');
    expect(html).toContain('kamflow plan run-1 --all');
    expect(html).toContain('Approve and write this plan');
    expect(html).toContain('nothing (a dry run); it would change 3 accounts');
  });

  it('offers no approval for an approved plan, a rollback preview or a failed run, and names the write run', () => {
    expect(planView(plan(1, { approvedAt: '2026-12-02T05:10:00.000Z', approvedByRun: 'run-2' }), run()).canApprove).toBe(false);
    expect(planView(plan(1, { kind: 'rollback' }), run()).canApprove).toBe(false);
    expect(planView(plan(1), run({ dryRun: false, status: 'failed' })).canApprove).toBe(false);
    expect(planView(plan(1), run({ dryRun: false, status: 'awaiting-approval' })).canApprove).toBe(true);
    expect(planView(plan(0), run()).canApprove).toBe(false);
  });
});
