import { afterEach, describe, expect, it } from 'vitest';
import { salesforceOutputField } from '../../../mappings/salesforce-output.ts';
import { sampleOrg, startWorld, type World } from './harness.ts';

/**
 * A KAM field holding a value Kamflow never wrote on this connection (typed before its first
 * write, or set later in a field Kamflow had left blank) is a person's value: kept under the
 * default respect-edits policy and reported, written only when the admin chooses. A value that
 * already equals what Kamflow would write is no change and no conflict.
 */

const SEED = sampleOrg(40);
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const TIER = 'KAM_Tier__c';

describe('Salesforce: values Kamflow never wrote', () => {
  it('are kept and reported as conflicts, except where they already hold what Kamflow would write; written with --overwrite-edits', async () => {
    const w = (world = await startWorld(SEED));
    await (await w.connector()).provision();
    const dry = await w.sync({ dryRun: true });
    expect(dry.run.status).toBe('succeeded');
    const planned = dry.plan?.writes ?? [];
    const [typed, same] = planned.filter((p) => typeof p.fields.kam_tier === 'string');
    if (!typed || !same) throw new Error('the dry run plans fewer than two tiers');
    const other = ['Key', 'Develop', 'Maintain', 'Standard'].find((t) => t !== typed.fields.kam_tier) ?? 'Key';
    // Before Kamflow's first write: one rep types another tier, another types the very tier Kamflow computes.
    w.sb.sf.update('Account', typed.accountId, { [TIER]: other });
    w.sb.sf.update('Account', same.accountId, { [TIER]: same.fields.kam_tier ?? null });

    const first = await w.sync({ confirm: true });
    expect(first.run.status).toBe('succeeded');
    expect(first.plan?.conflicts.map((c) => [c.accountId, c.field, c.current, c.kamflowValue, c.proposed, c.source, c.resolution])).toEqual([
      [typed.accountId, 'kam_tier', other, null, typed.fields.kam_tier, 'never-written', 'kept'],
    ]);
    expect(first.run.counts.conflicts).toBe(1);
    expect(w.sb.sf.record('Account', typed.accountId)?.[TIER]).toBe(other);
    expect(w.sb.sf.record('Account', same.accountId)?.[TIER]).toBe(same.fields.kam_tier);
    // The rest of the account was written.
    expect(w.sb.sf.record('Account', typed.accountId)?.['KAM_Score__c']).toBe(typed.fields.kam_score);
    const issues = await w.store.listRunIssues(first.run.id);
    expect(issues.filter((i) => i.kind === 'conflict-kept').map((i) => [i.recordId, i.message])).toEqual([
      [typed.accountId, `kam_tier: now "${other}", Kamflow never wrote it on this connection; kept, not replaced by "${String(typed.fields.kam_tier)}"`],
    ]);

    // After the first write: someone types into a field Kamflow left blank (it never wrote it there).
    const blank = (['kam_risks', 'kam_next_best_offers', 'kam_ultimate_parent'] as const).flatMap((field) => planned
      .filter((p) => p.accountId !== typed.accountId && w.sb.sf.record('Account', p.accountId)?.[salesforceOutputField(field).apiName] == null)
      .map((p) => ({ accountId: p.accountId, field, apiName: salesforceOutputField(field).apiName })))[0];
    if (!blank) throw new Error('no account with a KAM text field Kamflow left blank');
    w.sb.sf.update('Account', blank.accountId, { [blank.apiName]: 'typed by someone else' });
    const second = await w.sync({ full: true });
    expect(second.plan?.conflicts.map((c) => [c.accountId, c.field, c.current, c.source, c.resolution]).sort()).toEqual([
      [blank.accountId, blank.field, 'typed by someone else', 'never-written', 'kept'],
      [typed.accountId, 'kam_tier', other, 'never-written', 'kept'],
    ].sort());
    expect(w.sb.sf.record('Account', blank.accountId)?.[blank.apiName]).toBe('typed by someone else');

    // The admin chooses: written over, and from then on Kamflow's own.
    const chosen = await w.sync({ overwriteEdits: true, full: true, confirm: true });
    expect(chosen.plan?.conflicts.map((c) => c.resolution)).toEqual(['overwritten', 'overwritten']);
    expect(w.sb.sf.record('Account', typed.accountId)?.[TIER]).toBe(typed.fields.kam_tier);
    expect(w.sb.sf.record('Account', blank.accountId)?.[blank.apiName] ?? '').toBe('');
    expect((await w.sync({ full: true })).plan?.conflicts).toEqual([]);
  });
});
