import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api, connector, setupNock, teardownNock } from './helpers.ts';

beforeEach(setupNock);
afterEach(teardownNock);

const PROPS = '/crm/v3/properties/companies';
const GROUPS = '/crm/v3/properties/companies/groups';
type Created = { name: string; type: string; fieldType: string; groupName: string; displayOrder?: number; hidden?: boolean; options?: { value: string }[]; numberDisplayHint?: string };

function existing(name: string, type: string, fieldType: string) {
  return { name, label: name, type, fieldType, groupName: 'kamflow', description: '', options: [], createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', hidden: false, formField: false, calculated: false, externalOptions: false, displayOrder: 0 };
}

describe('provisioning', () => {
  it('creates the group and the missing properties, leaves the right ones, reports the wrong type', async () => {
    let group: unknown = null;
    const created: Created[] = [];
    api().get(GROUPS).reply(200, { results: [{ name: 'companyinformation', label: 'Company information', displayOrder: 0, archived: false }] });
    api().post(GROUPS).reply((_u, b) => {
      group = b;
      return [201, { name: 'kamflow', label: 'Kamflow', displayOrder: -1, archived: false }];
    });
    api().get(PROPS).reply(200, {
      results: [
        existing('name', 'string', 'text'),
        existing('kam_tier', 'enumeration', 'select'),
        existing('kam_key_account', 'bool', 'booleancheckbox'),
        existing('kam_score', 'string', 'text'),
      ],
    });
    api().post(PROPS).times(14).reply((_u, b) => {
      const body = b as Created;
      created.push(body);
      // Someone else created this one in the meantime.
      if (body.name === 'kam_risks') return [409, { status: 'error', category: 'OBJECT_ALREADY_EXISTS', message: 'A property named \'kam_risks\' already exists.' }];
      return [201, { ...existing(body.name, body.type, body.fieldType) }];
    });

    const c = connector();
    const report = await c.provision();

    expect(group).toEqual({ name: 'kamflow', label: 'Kamflow', displayOrder: -1 });
    expect(report.steps).toEqual([
      { name: 'property group kamflow', status: 'created' },
      { name: 'override properties', status: 'created', message: 'created: kam_override_tier, kam_override_reason, kam_override_until, kam_override_by' },
    ]);
    expect(Object.fromEntries(report.fields.map((f) => [f.crmName, f.status]))).toEqual({
      kam_tier: 'exists', kam_key_account: 'exists', kam_score: 'wrong-type', kam_revenue_share: 'created', kam_penetration: 'created',
      kam_whitespace_value: 'created', kam_next_best_offers: 'created', kam_reasons: 'created', kam_contact_coverage: 'created',
      kam_why: 'created', kam_risks: 'exists', kam_ultimate_parent: 'created', kam_updated_at: 'created',
    });
    expect(report.fields.find((f) => f.crmName === 'kam_score')?.message).toBe(
      'company property kam_score is of type string/text, Kamflow needs number/number; change or delete it in HubSpot',
    );
    const byName = Object.fromEntries(created.map((p) => [p.name, p]));
    expect(created.every((p) => p.groupName === 'kamflow')).toBe(true);
    expect([byName['kam_revenue_share']?.type, byName['kam_revenue_share']?.fieldType]).toEqual(['number', 'number']);
    expect(byName['kam_whitespace_value']?.numberDisplayHint).toBe('currency');
    expect([byName['kam_reasons']?.type, byName['kam_reasons']?.fieldType]).toEqual(['string', 'textarea']);
    expect([byName['kam_contact_coverage']?.type, byName['kam_contact_coverage']?.fieldType]).toEqual(['string', 'text']);
    expect([byName['kam_updated_at']?.type, byName['kam_updated_at']?.fieldType]).toEqual(['datetime', 'date']);
    expect([byName['kam_why']?.type, byName['kam_why']?.fieldType]).toEqual(['string', 'text']);
    // Visible, in the order a rep reads them: tier 0, why 1, score 2, key account 3, reasons 4, offers 5, ...
    expect(created.every((p) => p.hidden === false)).toBe(true);
    expect([byName['kam_why']?.displayOrder, byName['kam_reasons']?.displayOrder, byName['kam_next_best_offers']?.displayOrder, byName['kam_updated_at']?.displayOrder]).toEqual([1, 4, 5, 12]);
    // The override properties managers type into: after Kamflow's own, a tier picklist and a date.
    expect([byName['kam_override_tier']?.type, byName['kam_override_tier']?.options?.map((o) => o.value), byName['kam_override_tier']?.displayOrder]).toEqual(['enumeration', ['Key', 'Develop', 'Maintain', 'Standard'], 13]);
    expect([byName['kam_override_until']?.type, byName['kam_override_until']?.fieldType]).toEqual(['date', 'date']);
    expect(c.usage()).toEqual({ groupsRead: 1, groupCreate: 1, propertiesRead: 1, propertyCreate: 14 });
  });

  it('a second run finds everything and creates nothing', async () => {
    api().get(GROUPS).reply(200, { results: [{ name: 'kamflow', label: 'Kamflow', displayOrder: -1, archived: false }] });
    const all = [
      ['kam_tier', 'enumeration', 'select'], ['kam_key_account', 'bool', 'booleancheckbox'], ['kam_score', 'number', 'number'],
      ['kam_revenue_share', 'number', 'number'], ['kam_penetration', 'number', 'number'], ['kam_whitespace_value', 'number', 'number'],
      ['kam_next_best_offers', 'string', 'textarea'], ['kam_reasons', 'string', 'textarea'], ['kam_why', 'string', 'text'], ['kam_contact_coverage', 'string', 'text'],
      ['kam_risks', 'string', 'textarea'], ['kam_ultimate_parent', 'string', 'text'], ['kam_updated_at', 'datetime', 'date'],
      ['kam_override_tier', 'enumeration', 'select'], ['kam_override_reason', 'string', 'text'], ['kam_override_until', 'date', 'date'], ['kam_override_by', 'string', 'text'],
    ] as const;
    api().get(PROPS).reply(200, { results: all.map(([n, t, f]) => existing(n, t, f)) });
    const c = connector();
    const report = await c.provision();
    expect(report.fields.every((f) => f.status === 'exists')).toBe(true);
    expect(report.steps).toEqual([{ name: 'property group kamflow', status: 'exists' }, { name: 'override properties', status: 'exists' }]);
    expect(c.usage()).toEqual({ groupsRead: 1, propertiesRead: 1 });
  });
});
