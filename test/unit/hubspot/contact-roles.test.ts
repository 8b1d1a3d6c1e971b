import { describe, expect, it } from 'vitest';
import { rolesOfResult } from '../../../connectors/hubspot/contact-roles.ts';

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
});
