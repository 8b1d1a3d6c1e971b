import { describe, expect, it } from 'vitest';
import { planView, runDetail } from '../../../src/console/runs-view.ts';
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
  estimatedCalls: { composite: 2 }, approvedAt: null, approvedByRun: null, approvedBy: null,
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

  it('offers no approval for an approved plan, a plan of another kind than its run or a failed run, and names the write run', () => {
    expect(planView(plan(1, { approvedAt: '2026-12-02T05:10:00.000Z', approvedByRun: 'run-2' }), run()).canApprove).toBe(false);
    expect(planView(plan(1, { kind: 'rollback' }), run()).canApprove).toBe(false);
    // A rollback's preview is approved from its own (dry) run, never from a waiting one.
    expect(planView(plan(1, { kind: 'rollback' }), run({ kind: 'rollback' })).canApprove).toBe(true);
    expect(planView(plan(1, { kind: 'rollback' }), run({ kind: 'rollback', dryRun: false, status: 'awaiting-approval' })).canApprove).toBe(false);
    expect(planView(plan(1), run({ dryRun: false, status: 'failed' })).canApprove).toBe(false);
    expect(planView(plan(1), run({ dryRun: false, status: 'awaiting-approval' })).canApprove).toBe(true);
    expect(planView(plan(0), run()).canApprove).toBe(false);
  });

  it('shows a rollback preview as awaiting approval, with its conflicts and a button naming the fields, and then who approved it', () => {
    const rb = run({ kind: 'rollback', rollbackOf: 'run-0' });
    const conflict = { accountId: '001A0', field: 'kam_tier', current: 'Hand-set', kamflowValue: 'Key', proposed: null, changedBy: null, changedAt: null, source: 'memory' as const, resolution: 'kept' as const };
    const detail = runDetail(rb, 'console', [], [{ stage: 'plan', object: 'accounts', recordId: '001A0', kind: 'conflict-kept', message: 'kam_tier: now "Hand-set"' }], [rb], plan(2, { kind: 'rollback', reasons: [] }), [conflict]);
    expect(detail.status).toBe('awaiting-approval');
    expect(detail.recordErrors).toEqual([]);
    const session = { csrfToken: 't', user: 'admin' } as unknown as Session;
    const c = { id: 'c1', name: 'Org' } as ConnectionHealth;
    const html = runPage(session, c, detail);
    expect(html).toContain('rollback preview of <a href="/connections/c1/runs/run-0">run-0</a>');
    expect(html).toContain('Roll back these 6 fields');
    expect(html).toContain('<th>Value it restores</th>');
    expect(html).toContain('Conflicts: left as they are (1)');
    expect(html).toContain('<td>Account 0<div class="help">001A0</div></td><td>kam_tier</td><td class="value">&quot;Hand-set&quot;</td><td class="value">&quot;Key&quot;</td><td class="value">(empty)</td>');
    const approved = runDetail(rb, 'console', [], [], [rb], plan(2, { kind: 'rollback', reasons: [], approvedAt: '2026-12-02T05:10:00.000Z', approvedByRun: 'run-2', approvedBy: 'cli:ops' }));
    expect(approved.status).toBe('succeeded');
    const done = runPage(session, c, approved);
    expect(done).toContain('Approved by <strong>ops (CLI)</strong> at 2026-12-02 05:10:00Z, written by run');
    expect(done).not.toContain('Roll back these');
    expect(done).toContain('nothing (a preview); approved, and its 6 fields on 2 accounts written by run <a href="/connections/c1/runs/run-2">run-2</a>');
  });
});
