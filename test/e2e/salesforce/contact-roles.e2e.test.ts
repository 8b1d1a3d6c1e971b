import { afterEach, describe, expect, it } from 'vitest';
import { generateSampleOrg } from '../../../src/sandbox/generate.ts';
import { analyzeWithStoredConfig } from '../../../src/sync/analyze-adapter.ts';
import { loadMirror } from '../../../src/store/read-mirror.ts';
import { snapshotFromMirror } from '../../../src/store/snapshot-from-mirror.ts';
import { AS_OF, CONNECTION_ID, startWorld, type World } from './harness.ts';

/**
 * OpportunityContactRole end to end: the simulator seeded with a generated org whose deals name
 * contacts in roles, a full sync reads them into the mirror, the analysis finds the decision
 * makers; an incremental sync sees a role deleted in the org.
 */

const SEED = generateSampleOrg({ seed: 7, accounts: 80, asOf: AS_OF, contactsPerAccount: 3, contactRoles: true });
let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('Salesforce end to end: contact roles', () => {
  it('reads every role, finds the decision makers, and sees a deleted role on the next incremental pull', async () => {
    const roles = SEED.contactRoles ?? [];
    expect(roles.length).toBeGreaterThan(50);
    world = await startWorld(SEED);
    const w = world;
    await (await w.connector()).provision();
    const first = await w.sync({ dryRun: true });
    expect(first.run.status).not.toBe('failed');

    const seeded = w.sb.sf.query('SELECT Id FROM OpportunityContactRole');
    const mirror = await loadMirror(w.store, CONNECTION_ID);
    expect(mirror.contactRoles).toHaveLength(seeded.length);
    // The seed's roles whose contact and deal were seeded, as the connector mapped them back.
    const contactSf = w.sb.ids.salesforce.contacts;
    const oppSf = w.sb.ids.salesforce.opportunities;
    const want = roles.map((r) => `${oppSf[r.opportunityId]}|${contactSf[r.contactId]}|${r.role}|${r.primary}`).sort();
    const got = (mirror.contactRoles as { opportunityId: string; contactId: string; role: string | null; primary: boolean }[])
      .map((r) => `${r.opportunityId}|${r.contactId}|${r.role}|${r.primary}`).sort();
    expect(got).toEqual(want);

    const { snapshot } = snapshotFromMirror(mirror, 'salesforce', 'USD');
    const result = analyzeWithStoredConfig({ snapshot, config: {}, asOf: AS_OF, rejected: [] });
    const fromSeed = analyzeWithStoredConfig({ snapshot: SEED, config: {}, asOf: AS_OF, rejected: [] });
    const deciders = (r: typeof result): number => r.families.reduce((n, f) => n + (f.relationships?.entities ?? []).reduce((m, e) => m + e.decisionMakers.length, 0), 0);
    expect(deciders(result)).toBeGreaterThan(0);
    expect(deciders(result)).toBe(deciders(fromSeed));

    // A role removed in the org is gone from the mirror after an incremental pull (queryAll's IsDeleted).
    const gone = String(seeded[0]?.['Id']);
    w.sb.sf.delete('OpportunityContactRole', gone);
    const second = await w.sync({ dryRun: true });
    expect(second.run.status).not.toBe('failed');
    const after = await loadMirror(w.store, CONNECTION_ID);
    expect(after.contactRoles).toHaveLength(seeded.length - 1);
    expect((after.contactRoles as { id: string }[]).some((r) => r.id === gone)).toBe(false);
  });

  it('the simulator refuses a field OpportunityContactRole does not have, as the org does', async () => {
    world = await startWorld(SEED);
    const w = world;
    expect(() => w.sb.sf.query('SELECT Id, Name FROM OpportunityContactRole')).toThrow(/Name/);
    expect(() => w.sb.sf.query('SELECT Id, OwnerId FROM OpportunityContactRole')).toThrow(/OwnerId/);
    expect(w.sb.sf.query('SELECT Id, OpportunityId, ContactId, Role, IsPrimary, SystemModstamp, LastModifiedDate FROM OpportunityContactRole LIMIT 1')).toHaveLength(1);
  });
});
