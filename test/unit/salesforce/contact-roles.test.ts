import { describe, expect, it } from 'vitest';
import { BASE_FIELDS, mapContactRole, sameCurrency, SOBJECT_BY_KIND } from '../../../mappings/salesforce.ts';
import { buildPage, doneCursor } from '../../../connectors/salesforce/pull-plan.ts';

const settings = {
  extraAccountFields: [], offeringFamilyField: 'Family', visibleOutputFields: [], convert: sameCurrency, convertStatic: sameCurrency,
};

describe('Salesforce OpportunityContactRole mapping', () => {
  it('reads the documented fields of the object', () => {
    expect(SOBJECT_BY_KIND.contactRoles).toBe('OpportunityContactRole');
    expect(BASE_FIELDS.contactRoles).toEqual(['Id', 'OpportunityId', 'ContactId', 'Role', 'IsPrimary', 'SystemModstamp']);
  });

  it('maps a role, a role left empty, and a Bulk CSV row', () => {
    expect(mapContactRole({ Id: '00K000000000001', OpportunityId: '006A', ContactId: '003A', Role: 'Decision Maker', IsPrimary: true }).record)
      .toEqual({ id: '00K000000000001', opportunityId: '006A', contactId: '003A', role: 'Decision Maker', primary: true });
    expect(mapContactRole({ Id: 'R2', OpportunityId: '006A', ContactId: '003B', Role: null, IsPrimary: false }).record?.role).toBeNull();
    expect(mapContactRole({ Id: 'R3', OpportunityId: '006A', ContactId: '003C', Role: '', IsPrimary: 'false' }).record)
      .toEqual({ id: 'R3', opportunityId: '006A', contactId: '003C', role: null, primary: false });
  });

  it('rejects a role without its contact with an issue naming it; the rest of the page goes on; deletes are deletes', () => {
    const page = buildPage('contactRoles', [
      { Id: 'R1', OpportunityId: '006A', ContactId: '003A', Role: 'Influencer', IsPrimary: false },
      { Id: 'R2', OpportunityId: '006A', ContactId: null, Role: 'Decision Maker', IsPrimary: true },
      { Id: 'R3', OpportunityId: '006B', ContactId: '003B', Role: 'Evaluator', IsPrimary: 'yes' },
      { Id: 'R4', OpportunityId: '006B', ContactId: '003C', Role: 'Other', IsPrimary: false, IsDeleted: true },
      { Id: 'R5', OpportunityId: '006B', ContactId: '003D', Role: 'Economic Buyer', IsPrimary: true },
    ], settings, doneCursor('2026-01-01T00:00:00.000Z', ''), true);
    expect(page.records.map((r) => (r as { id: string }).id)).toEqual(['R1', 'R5']);
    expect(page.deletedIds).toEqual(['R4']);
    expect(page.issues.map((i) => [i.object, i.recordId, i.kind])).toEqual([['contactRoles', 'R2', 'unmappable'], ['contactRoles', 'R3', 'unmappable']]);
    expect(page.issues[0]?.message).toMatch(/ContactId/);
    expect(page.issues[1]?.message).toMatch(/IsPrimary/);
    expect(page.fullPullComplete).toBe(true);
  });
});
