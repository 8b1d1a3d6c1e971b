import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from './harness.ts';

/** A manager's tier override typed into a HubSpot company, through @hubspot/api-client against the sandbox. */

let w: World;
beforeAll(async () => {
  w = await startWorld({ accounts: 40, options: { searchLookbackMs: 0 } });
});
afterAll(async () => {
  await w.close();
});

describe('HubSpot end to end: a tier override', () => {
  it('is provisioned, honoured with its sentence in the reasons, and never written over', async () => {
    const report = await w.provision();
    expect(report.steps).toContainEqual(expect.objectContaining({ name: 'override properties', status: 'created' }));
    expect((await w.sync({ full: true, confirm: true })).run.status).toBe('succeeded');
    const root = w.org.accounts.find((a) => a.parentId === null && w.company(a.id)['kam_tier'] === 'Standard');
    if (!root) throw new Error('no Standard family in the sample org');
    w.sb.hs.update('companies', w.hsId(root.id), { kam_override_tier: 'Key', kam_override_until: '2026-12-31', kam_override_by: 'Dana Lee', kam_override_reason: 'strategic partner' });

    const run = await w.sync();
    expect(run.run.status).toBe('succeeded');
    const after = w.company(root.id);
    expect(after).toMatchObject({ kam_tier: 'Key', kam_key_account: 'true', kam_why: 'Key: overridden by Dana Lee until 2026-12-31: strategic partner' });
    expect(String(after['kam_reasons']).split('\n')[1]).toBe('⚑ Overridden by Dana Lee until 2026-12-31: strategic partner');
    expect(after).toMatchObject({ kam_override_tier: 'Key', kam_override_until: '2026-12-31', kam_override_by: 'Dana Lee', kam_override_reason: 'strategic partner' });
    expect(run.plan?.writes.flatMap((x) => Object.keys(x.fields)).some((k) => k.startsWith('kam_override'))).toBe(false);
  });
});
