import { afterEach, describe, expect, it } from 'vitest';
import { analyzeWithStoredConfig } from '../../../src/sync/analyze-adapter.ts';
import { loadMirror } from '../../../src/store/read-mirror.ts';
import { snapshotFromMirror } from '../../../src/store/snapshot-from-mirror.ts';
import { AS_OF, CONNECTION, startWorld, type World } from './harness.ts';

/**
 * Deal-contact association labels end to end: the simulator seeded with a generated org whose
 * deals name contacts in roles (labels), a sync reads them through the v4 batch read, and the
 * analysis finds the decision makers the seed has.
 */

let w: World | undefined;

afterEach(async () => {
  await w?.close();
  w = undefined;
});

describe('HubSpot end to end: contact roles', () => {
  it('reads every labeled deal-contact association as a role and finds the decision makers', async () => {
    w = await startWorld({ accounts: 80, contactRoles: true });
    const world = w;
    const roles = world.org.contactRoles ?? [];
    expect(roles.length).toBeGreaterThan(50);
    const r = await world.sync({ dryRun: true });
    expect(r.run.status).not.toBe('failed');
    const mirror = await loadMirror(world.store, CONNECTION);
    const deals = world.sb.ids.hubspot.opportunities;
    const contacts = world.sb.ids.hubspot.contacts;
    const want = roles.map((x) => `${deals[x.opportunityId]}|${contacts[x.contactId]}|${x.role}`).sort();
    const got = (mirror.contactRoles as { opportunityId: string; contactId: string; role: string | null }[])
      .map((x) => `${x.opportunityId}|${x.contactId}|${x.role}`).sort();
    expect(got).toEqual(want);

    const { snapshot } = snapshotFromMirror(mirror, 'hubspot', 'USD');
    const deciders = (s: typeof snapshot): number => analyzeWithStoredConfig({ snapshot: s, config: {}, asOf: AS_OF, rejected: [] })
      .families.reduce((n, f) => n + (f.relationships?.entities ?? []).reduce((m, e) => m + e.decisionMakers.length, 0), 0);
    expect(deciders(snapshot)).toBeGreaterThan(0);
    expect(deciders(snapshot)).toBe(deciders(world.org));
  });
});
