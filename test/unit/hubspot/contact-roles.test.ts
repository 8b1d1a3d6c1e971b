import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rolesOfResult } from '../../../connectors/hubspot/contact-roles.ts';
import { collect, connector, setupNock, teardownNock } from '../../integration/hubspot/helpers.ts';
import { loadGolden, servePortal } from '../../integration/hubspot/fake-portal.ts';

beforeEach(setupNock);
afterEach(teardownNock);

describe('HubSpot deal-contact associations as contact roles', () => {
  it('makes one role per label, a role of null for an unlabeled contact, and reads the client model (_from) as the JSON (from)', () => {
    const viaClient = rolesOfResult({
      _from: { id: '901' },
      to: [
        { toObjectId: 11, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 3 }, { category: 'USER_DEFINED', typeId: 37, label: 'Decision Maker' }] },
        { toObjectId: 12, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 3, label: null }] },
      ],
    }, 0);
    expect(viaClient.issue).toBeNull();
    expect(viaClient.roles).toEqual([
      { id: '901-11-37', opportunityId: '901', contactId: '11', role: 'Decision Maker', primary: false },
      { id: '901-12', opportunityId: '901', contactId: '12', role: null, primary: false },
    ]);
    const viaJson = rolesOfResult({ from: { id: 901 }, to: [{ toObjectId: '12', associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 3, label: '' }] }] }, 0);
    expect(viaJson.roles).toEqual([{ id: '901-12', opportunityId: '901', contactId: '12', role: null, primary: false }]);
  });

  it('turns a result of another shape into an issue naming the result and its deal', () => {
    const bad = rolesOfResult({ from: { id: '77' }, to: [{ toObjectId: 5, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 'three' }] }] }, 4);
    expect(bad.roles).toEqual([]);
    expect(bad.issue).toMatchObject({ object: 'contactRoles', recordId: '77', kind: 'malformed' });
    expect(bad.issue?.message).toMatch(/result 4 \(deal 77\).*typeId/);
    expect(rolesOfResult('garbage', 2).issue?.message).toMatch(/result 2/);
  });

  it('reads the roles of the deals a full deals pull just read, without a list of its own; without one it lists the deals', async () => {
    const data = loadGolden();
    data.associations['deals->contacts'] = {
      '401': [{ toObjectId: '201', associationTypes: [{ category: 'USER_DEFINED', typeId: 37, label: 'Decision Maker' }] }],
      '403': [{ toObjectId: '202', associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 3, label: null }] }],
    };
    const log = servePortal(data);
    const dealLists = (): number => log.filter((l) => l.startsWith('GET /crm/v3/objects/deals?')).length;
    const c = connector({ currency: undefined });
    const pages = await collect(c, { mode: 'full', cursors: {}, objects: ['opportunities', 'contactRoles'] });
    const roles = pages.filter((p) => p.object === 'contactRoles');
    expect(dealLists()).toBe(1);
    expect(roles.at(-1)).toMatchObject({ fullPullComplete: true, cursor: { phase: 'done' } });
    const found = roles.flatMap((p) => p.records.map((r) => r.id)).sort();
    expect(found).toEqual(['401-201-37', '403-202']);
    // The ids serve one read of the roles: pulled again, alone, the roles list the deals.
    const again = await collect(c, { mode: 'full', cursors: {}, objects: ['contactRoles'] });
    expect(dealLists()).toBe(2);
    expect(again.flatMap((p) => p.records.map((r) => r.id)).sort()).toEqual(found);
    // A deals pull resumed from its list position has not read every deal: the roles list them.
    const resumed = await collect(connector({ currency: undefined }), { mode: 'full', cursors: { opportunities: { phase: 'list', after: '0', startedAt: 1 } }, objects: ['opportunities', 'contactRoles'] });
    expect(dealLists()).toBe(4);
    expect(resumed.filter((p) => p.object === 'contactRoles').flatMap((p) => p.records.map((r) => r.id)).sort()).toEqual(found);
  });
});
