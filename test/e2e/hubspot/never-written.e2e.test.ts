import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from './harness.ts';

/**
 * A Kamflow property holding a value Kamflow never wrote on this connection (typed before its
 * first write, or set later in a property Kamflow had left blank) is a person's value: kept
 * under the default respect-edits policy and reported, written only when the admin chooses. A
 * value that already equals what Kamflow would write is no change and no conflict.
 */

let w: World;
beforeAll(async () => {
  w = await startWorld({ accounts: 40, options: { searchLookbackMs: 0 } });
});
afterAll(async () => {
  await w.close();
});

const company = (id: string): Record<string, string | null> => w.sb.hs.object('companies', id)?.properties ?? {};

describe('HubSpot: values Kamflow never wrote', () => {
  it('are kept and reported as conflicts, except where they already hold what Kamflow would write; written with --overwrite-edits', async () => {
    await w.provision();
    const dry = await w.sync({ dryRun: true, full: true });
    expect(dry.run.status).toBe('succeeded');
    const planned = dry.plan?.writes ?? [];
    const [typed, same] = planned.filter((p) => typeof p.fields.kam_tier === 'string');
    if (!typed || !same) throw new Error('the dry run plans fewer than two tiers');
    const other = ['Key', 'Develop', 'Maintain', 'Standard'].find((t) => t !== typed.fields.kam_tier) ?? 'Key';
    // Before Kamflow's first write: one rep types another tier, another types the very tier Kamflow computes.
    w.sb.hs.update('companies', typed.accountId, { kam_tier: other });
    w.sb.hs.update('companies', same.accountId, { kam_tier: String(same.fields.kam_tier) });

    const first = await w.sync({ full: true, confirm: true });
    expect(first.run.status).toBe('succeeded');
    expect(first.plan?.conflicts.map((c) => [c.accountId, c.field, c.current, c.kamflowValue, c.proposed, c.source, c.resolution])).toEqual([
      [typed.accountId, 'kam_tier', other, null, typed.fields.kam_tier, 'never-written', 'kept'],
    ]);
    expect(company(typed.accountId)['kam_tier']).toBe(other);
    expect(company(same.accountId)['kam_tier']).toBe(same.fields.kam_tier);
    expect(company(typed.accountId)['kam_score']).toBe(String(typed.fields.kam_score));
    const issues = await w.store.listRunIssues(first.run.id);
    expect(issues.filter((i) => i.kind === 'conflict-kept').map((i) => [i.recordId, i.message])).toEqual([
      [typed.accountId, `kam_tier: now "${other}", Kamflow never wrote it on this connection; kept, not replaced by "${String(typed.fields.kam_tier)}"`],
    ]);

    // After the first write: someone types into a property Kamflow left blank (it never wrote it there).
    const blank = (['kam_risks', 'kam_next_best_offers', 'kam_ultimate_parent'] as const).flatMap((field) => planned
      .filter((p) => p.accountId !== typed.accountId && !company(p.accountId)[field])
      .map((p) => ({ accountId: p.accountId, field })))[0];
    if (!blank) throw new Error('no company with a Kamflow text property Kamflow left blank');
    w.sb.hs.update('companies', blank.accountId, { [blank.field]: 'typed by someone else' });
    const second = await w.sync({ full: true });
    expect(second.plan?.conflicts.map((c) => [c.accountId, c.field, c.current, c.source, c.resolution]).sort()).toEqual([
      [blank.accountId, blank.field, 'typed by someone else', 'never-written', 'kept'],
      [typed.accountId, 'kam_tier', other, 'never-written', 'kept'],
    ].sort());
    expect(company(blank.accountId)[blank.field]).toBe('typed by someone else');

    // The admin chooses: written over, and from then on Kamflow's own.
    const chosen = await w.sync({ overwriteEdits: true, full: true, confirm: true });
    expect(chosen.plan?.conflicts.map((c) => c.resolution)).toEqual(['overwritten', 'overwritten']);
    expect(company(typed.accountId)['kam_tier']).toBe(typed.fields.kam_tier);
    expect(company(blank.accountId)[blank.field] ?? '').toBe('');
    expect((await w.sync({ full: true })).plan?.conflicts).toEqual([]);
  });
});
