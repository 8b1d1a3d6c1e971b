import { afterEach, describe, expect, it } from 'vitest';
import { generateSampleOrg } from '../../../src/sandbox/generate.ts';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../../src/sandbox/index.ts';

/**
 * A profile that keeps an object or field from the integration user: the org answers as if it
 * did not exist (INVALID_TYPE, INVALID_FIELD, 404 on describe), and so does the simulator.
 */

const SEED = generateSampleOrg({ seed: 3, accounts: 40, asOf: '2026-06-30', contactsPerAccount: 2, contactRoles: true });
let sb: Sandbox | undefined;

afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

async function start(options: Omit<SandboxOptions, 'seed'> = {}): Promise<Sandbox> {
  sb = await startSandbox({ seed: SEED, ...options });
  return sb;
}

async function get(s: Sandbox, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${s.salesforce.instanceUrl}/services/data/v62.0${path}`, { headers: { Authorization: `Bearer ${s.salesforce.accessToken}` } });
  return { status: res.status, body: await res.json() };
}

const query = (s: Sandbox, soql: string) => get(s, `/query?q=${encodeURIComponent(soql)}`);

describe('Salesforce simulator: objects and fields the integration user cannot read', () => {
  it('answers a query of a hidden object with 400 INVALID_TYPE, as for an object the org lacks; describe 404; the parent loses the relationship', async () => {
    const s = await start({ salesforceAccess: { hiddenObjects: ['OpportunityContactRole'] } });
    const q = await query(s, 'SELECT Id, OpportunityId, ContactId, Role, IsPrimary FROM OpportunityContactRole ORDER BY Id');
    expect(q.status).toBe(400);
    expect(q.body).toEqual([{ errorCode: 'INVALID_TYPE', message: expect.stringMatching(/^sObject type 'OpportunityContactRole' is not supported\./) }]);
    const all = await get(s, `/queryAll?q=${encodeURIComponent('SELECT Id, IsDeleted FROM OpportunityContactRole')}`);
    expect(all.status).toBe(400);
    expect((all.body as { errorCode: string }[])[0]?.errorCode).toBe('INVALID_TYPE');

    const describe = await get(s, '/sobjects/OpportunityContactRole/describe');
    expect(describe.status).toBe(404);
    expect(describe.body).toEqual([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
    const list = (await get(s, '/sobjects')).body as { sobjects: { name: string }[] };
    expect(list.sobjects.map((o) => o.name)).not.toContain('OpportunityContactRole');
    const opp = (await get(s, '/sobjects/Opportunity/describe')).body as { childRelationships: { relationshipName: string }[] };
    expect(opp.childRelationships.map((c) => c.relationshipName)).toEqual(['OpportunityLineItems']);

    const sub = await query(s, 'SELECT Id, (SELECT Id FROM OpportunityContactRoles) FROM Opportunity');
    expect(sub.status).toBe(400);
    expect(sub.body).toEqual([{ errorCode: 'INVALID_TYPE', message: expect.stringMatching(/^Didn't understand relationship 'OpportunityContactRoles'/) }]);

    // The other objects read as before.
    const opps = await query(s, 'SELECT Id FROM Opportunity');
    expect(opps.status).toBe(200);
    expect((opps.body as { totalSize: number }).totalSize).toBe(SEED.opportunities.length);
  });

  it('answers a query naming a field its field-level security hides with INVALID_FIELD; the object reads without it', async () => {
    const s = await start({ salesforceAccess: { hiddenFields: ['OpportunityContactRole.Role'] } });
    const q = await query(s, 'SELECT Id, Role FROM OpportunityContactRole');
    expect(q.status).toBe(400);
    expect(q.body).toEqual([{ errorCode: 'INVALID_FIELD', message: expect.stringMatching(/^No such column 'Role' on entity 'OpportunityContactRole'/) }]);
    const where = await query(s, "SELECT Id FROM OpportunityContactRole WHERE Role = 'Decision Maker'");
    expect((where.body as { errorCode: string }[])[0]?.errorCode).toBe('INVALID_FIELD');
    const ok = await query(s, 'SELECT Id, OpportunityId, ContactId, IsPrimary FROM OpportunityContactRole');
    expect(ok.status).toBe(200);
    expect((ok.body as { totalSize: number }).totalSize).toBe(SEED.contactRoles?.length);
    const fields = ((await get(s, '/sobjects/OpportunityContactRole/describe')).body as { fields: { name: string }[] }).fields.map((f) => f.name);
    expect(fields).toContain('IsPrimary');
    expect(fields).not.toContain('Role');
  });

  it('changes with the profile at run time: setAccess hides, {} gives everything back', async () => {
    const s = await start();
    expect((await query(s, 'SELECT Id FROM OpportunityContactRole')).status).toBe(200);
    s.sf.setAccess({ hiddenObjects: ['opportunitycontactrole'] });
    expect((await query(s, 'SELECT Id FROM OpportunityContactRole')).status).toBe(400);
    s.sf.setAccess({});
    expect((await query(s, 'SELECT Id FROM OpportunityContactRole')).status).toBe(200);
  });

  it('refuses to hide what the org has not, and what Salesforce never hides, naming each', async () => {
    await expect(startSandbox({ salesforceAccess: { hiddenObjects: ['OpportunityContactRoles', 'User'] } })).rejects.toThrow(
      'invalid Salesforce access: hiddenObjects: the org has no object OpportunityContactRoles; hiddenObjects: every user can read User; it cannot be hidden',
    );
    const s = await start();
    expect(() => s.sf.setAccess({ hiddenFields: ['OpportunityContactRole.OpportunityId', 'OpportunityContactRole.Id', 'OpportunityContactRole.Nope', 'Role'] })).toThrow(
      /hiddenFields\.3: expected Object\.Field/,
    );
    expect(() => s.sf.setAccess({ hiddenFields: ['OpportunityContactRole.OpportunityId', 'OpportunityContactRole.Id', 'OpportunityContactRole.SystemModstamp', 'OpportunityContactRole.Nope'] })).toThrow(
      'invalid Salesforce access: hiddenFields: OpportunityContactRole.OpportunityId is required on insert; field-level security cannot hide it; '
        + 'hiddenFields: OpportunityContactRole.Id is a system field; field-level security cannot hide it; '
        + 'hiddenFields: OpportunityContactRole.SystemModstamp is a system field; field-level security cannot hide it; '
        + 'hiddenFields: the org has no field OpportunityContactRole.Nope',
    );
    expect(() => s.sf.setAccess({ hiddenObjects: ['Opportunity'], extra: true } as never)).toThrow(/Unrecognized key/);
    // A refused change changes nothing.
    expect((await query(s, 'SELECT Id FROM Opportunity')).status).toBe(200);
  });
});
