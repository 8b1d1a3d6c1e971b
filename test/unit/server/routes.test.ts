import { describe, expect, it } from 'vitest';
import { parseLoginHost } from '../../../connectors/salesforce/module.ts';
import { safeNext } from '../../../src/server/routes/auth.ts';
import { recordsOf } from '../../../connectors/hubspot/webhooks.ts';

describe('parseLoginHost', () => {
  it('knows production, sandbox and Salesforce My Domain hosts', () => {
    expect(parseLoginHost(undefined)).toBe('production');
    expect(parseLoginHost('production')).toBe('production');
    expect(parseLoginHost('sandbox')).toBe('sandbox');
    expect(parseLoginHost('https://Acme.my.salesforce.com/')).toBe('https://acme.my.salesforce.com');
    expect(parseLoginHost('https://acme--uat.sandbox.my.salesforce.com')).toBe('https://acme--uat.sandbox.my.salesforce.com');
  });

  it('refuses anything that could send the client secret elsewhere', () => {
    for (const bad of ['https://salesforce.com.evil.io', 'http://acme.my.salesforce.com', 'https://u:p@acme.my.salesforce.com',
      'https://acme.my.salesforce.com:8443', 'https://acme.my.salesforce.com/path', 'https://acme.my.salesforce.com?x=1', 'javascript:alert(1)', 'sandboxes']) {
      expect(parseLoginHost(bad)).toBeNull();
    }
  });
});

describe('safeNext', () => {
  it('keeps same-site paths only', () => {
    expect(safeNext('/connections/c1?x=1')).toBe('/connections/c1?x=1');
    for (const bad of [undefined, '', 'https://evil.io', '//evil.io', '/\\evil.io', 'connections']) expect(safeNext(bad)).toBe('/');
  });
});

describe('recordsOf (HubSpot events)', () => {
  const base = { portalId: '1', objectId: '5' };
  it('maps object types and deletions', () => {
    expect(recordsOf({ ...base, subscriptionType: 'company.propertyChange' })).toEqual([{ object: 'accounts', id: '5', deleted: false }]);
    expect(recordsOf({ ...base, subscriptionType: 'contact.deletion' })).toEqual([{ object: 'contacts', id: '5', deleted: true }]);
    expect(recordsOf({ ...base, subscriptionType: 'deal.privacyDeletion' })).toEqual([{ object: 'opportunities', id: '5', deleted: true }]);
    expect(recordsOf({ ...base, subscriptionType: 'line_item.creation' })).toEqual([{ object: 'lineItems', id: '5', deleted: false }]);
    expect(recordsOf({ ...base, subscriptionType: 'object.propertyChange', objectTypeId: '0-2' })).toEqual([{ object: 'accounts', id: '5', deleted: false }]);
  });

  it('marks merged-away records deleted and the survivor changed', () => {
    expect(recordsOf({ ...base, subscriptionType: 'company.merge', mergedObjectIds: ['5', '6', '7'] })).toEqual([
      { object: 'accounts', id: '5', deleted: false }, { object: 'accounts', id: '6', deleted: true }, { object: 'accounts', id: '7', deleted: true },
    ]);
  });

  it('uses the source record of an association change', () => {
    expect(recordsOf({ portalId: '1', fromObjectId: '9', subscriptionType: 'contact.associationChange' })).toEqual([{ object: 'contacts', id: '9', deleted: false }]);
  });

  it('ignores objects Kamflow does not read', () => {
    expect(recordsOf({ ...base, subscriptionType: 'ticket.creation' })).toEqual([]);
    expect(recordsOf({ ...base, subscriptionType: 'object.creation', objectTypeId: '0-5' })).toEqual([]);
  });
});
