import { afterEach, describe, expect, it } from 'vitest';
import { generateSampleOrg } from '../../../src/sandbox/generate.ts';
import { loadMirror } from '../../../src/store/read-mirror.ts';
import { AS_OF, CONNECTION_ID, startWorld, type World } from './harness.ts';

/**
 * An org whose profile keeps OpportunityContactRole (or one of its fields) from the integration
 * user: the sync reads accounts, contacts, opportunities and line items as ever, says on the run
 * that contact roles were not pulled and why, and leaves the roles stream where it stood, so
 * that once access is granted the next sync reads what it missed.
 */

const SEED = generateSampleOrg({ seed: 7, accounts: 60, asOf: AS_OF, contactsPerAccount: 3, contactRoles: true });
let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function roleIssues(w: World, runId: string): Promise<{ object: string | null; kind: string; message: string }[]> {
  return (await w.store.listRunIssues(runId)).filter((i) => i.object === 'contactRoles');
}

describe('Salesforce end to end: an OpportunityContactRole the integration user cannot read', () => {
  it('syncs everything else, reports the skipped roles on the run, and reads them once the user may', async () => {
    const roles = SEED.contactRoles ?? [];
    expect(roles.length).toBeGreaterThan(30);
    world = await startWorld(SEED, { salesforceAccess: { hiddenObjects: ['OpportunityContactRole'] } });
    const w = world;
    await (await w.connector()).provision();

    const first = await w.sync({ dryRun: true });
    expect(first.run.status).toBe('succeeded');
    const mirror = await loadMirror(w.store, CONNECTION_ID);
    expect(mirror.accounts).toHaveLength(SEED.accounts.length);
    expect(mirror.contacts).toHaveLength(SEED.contacts.length);
    expect(mirror.opportunities).toHaveLength(SEED.opportunities.length);
    expect(mirror.lineItems).toHaveLength(SEED.opportunities.reduce((n, o) => n + o.lineItems.length, 0));
    expect(mirror.contactRoles ?? []).toHaveLength(0);
    const issues = await roleIssues(w, first.run.id);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.kind).toBe('object-unreadable');
    expect(issues[0]?.message).toMatch(/^Contact roles not pulled: the integration user cannot read Salesforce OpportunityContactRole \(400 INVALID_TYPE\)/);
    expect(issues[0]?.message).toContain("sObject type 'OpportunityContactRole' is not supported");
    expect(first.run.counts.pullIssues).toBeGreaterThanOrEqual(1);
    // The roles stream read nothing: no cursor to resume from, the next sync starts it afresh.
    expect((await w.store.getStreamStates(CONNECTION_ID)).contactRoles?.cursor ?? {}).toEqual({});

    // The admin grants Read: the next (incremental) sync reads every role.
    w.sb.sf.setAccess({});
    const second = await w.sync({ dryRun: true });
    expect(second.run.status).toBe('succeeded');
    expect(await roleIssues(w, second.run.id)).toEqual([]);
    const granted = await loadMirror(w.store, CONNECTION_ID);
    expect(granted.contactRoles).toHaveLength(roles.length);
    const stateAfterRead = (await w.store.getStreamStates(CONNECTION_ID)).contactRoles?.cursor;
    expect(stateAfterRead).toMatchObject({ phase: 'incremental', complete: true });

    // Field-level security now hides Role; a role is deleted meanwhile. The sync goes on without
    // the roles, keeps those it has, and leaves the stream's cursor where it was.
    const gone = String(w.sb.sf.query('SELECT Id FROM OpportunityContactRole ORDER BY Id LIMIT 1')[0]?.['Id']);
    w.sb.sf.setAccess({ hiddenFields: ['OpportunityContactRole.Role'] });
    w.sb.sf.delete('OpportunityContactRole', gone);
    const third = await w.sync({ dryRun: true });
    expect(third.run.status).toBe('succeeded');
    const hidden = await roleIssues(w, third.run.id);
    expect(hidden.map((i) => i.kind)).toEqual(['object-unreadable']);
    expect(hidden[0]?.message).toContain('(400 INVALID_FIELD)');
    expect(hidden[0]?.message).toContain("No such column 'Role' on entity 'OpportunityContactRole'");
    expect((await w.store.getStreamStates(CONNECTION_ID)).contactRoles?.cursor).toEqual(stateAfterRead);
    const kept = await loadMirror(w.store, CONNECTION_ID);
    expect(kept.contactRoles).toHaveLength(roles.length);
    expect(kept.accounts).toHaveLength(SEED.accounts.length);

    // Visible again: the incremental read from the cursor left in place sees the deletion.
    w.sb.sf.setAccess({});
    const fourth = await w.sync({ dryRun: true });
    expect(fourth.run.status).toBe('succeeded');
    const after = await loadMirror(w.store, CONNECTION_ID);
    expect(after.contactRoles).toHaveLength(roles.length - 1);
    expect((after.contactRoles as { id: string }[]).some((r) => r.id === gone)).toBe(false);
  });
});
