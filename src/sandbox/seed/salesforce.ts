import type { Conversion, Snapshot } from '../../model/snapshot.ts';
import type { IdFactory } from '../ids.ts';
import { SF_STAGES, type SalesforceStore } from '../salesforce/store.ts';
import { coerceJson, type SfValue } from '../salesforce/values.ts';
import { KAM_KEYS, salesforceFieldName, splitName, slug } from './names.ts';

export interface IdMap {
  users: Record<string, string>;
  products: Record<string, string>;
  accounts: Record<string, string>;
  contacts: Record<string, string>;
  opportunities: Record<string, string>;
  lineItems: Record<string, string>;
  contactRoles: Record<string, string>;
}

export function emptyIdMap(): IdMap {
  return { users: {}, products: {}, accounts: {}, contacts: {}, opportunities: {}, lineItems: {}, contactRoles: {} };
}

/**
 * Loads a snapshot into the Salesforce store. References to records missing from the snapshot
 * (an orphaned parent, an unknown product) become ids of records that do not exist, as when the
 * integration user cannot see them.
 */
export function seedSalesforce(store: SalesforceStore, ids: IdFactory, snapshot: Snapshot, provisioned: boolean, stamp?: () => number): IdMap {
  const map = emptyIdMap();
  const insert = (object: string, values: Record<string, SfValue>): string => store.insert(object, values, stamp?.());
  const dangling = new Map<string, string>();
  const ref = (table: Record<string, string>, object: string, modelId: string | null): string | null => {
    if (modelId === null) return null;
    const known = table[modelId];
    if (known) return known;
    const key = `${object}:${modelId}`;
    let id = dangling.get(key);
    if (!id) {
      id = ids.salesforce(object);
      dangling.set(key, id);
    }
    return id;
  };
  const multi = store.options.multiCurrency;
  const currency: Record<string, SfValue> = multi ? { CurrencyIsoCode: snapshot.currency } : {};
  // A multi-currency org books a deal with a conversion note in the note's currency, its line items with it.
  const known = new Set(multi ? [...store.table('CurrencyType').values()].map((c) => String(c['IsoCode'])) : []);
  const foreign = (note: Conversion | undefined): Conversion | null => (note && note.rate !== null && known.has(note.currency) ? note : null);

  for (const u of snapshot.users) {
    map.users[u.id] = insert('User', { Name: u.name, IsActive: u.active, Email: `${slug(u.name)}@sandbox.invalid` });
  }
  for (const p of snapshot.products) {
    map.products[p.id] = insert('Product2', { Name: p.name, Family: p.family, IsActive: p.active });
  }
  for (const a of snapshot.accounts) {
    map.accounts[a.id] = insert('Account', {
      Name: a.name,
      Industry: a.industry,
      NumberOfEmployees: a.employees,
      AnnualRevenue: a.annualRevenue,
      BillingCountry: a.country,
      OwnerId: a.ownerId !== null ? ref(map.users, 'User', a.ownerId) : store.integrationUserId,
      Key_Account__c: a.markedKey ?? false,
      ...currency,
    });
  }
  for (const a of snapshot.accounts) {
    const rec = store.get('Account', map.accounts[a.id] as string);
    if (!rec) continue;
    rec['ParentId'] = ref(map.accounts, 'Account', a.parentId);
    if (provisioned) {
      for (const key of KAM_KEYS) {
        const value = a.fields[key];
        if (value === undefined) continue;
        const name = salesforceFieldName(key);
        const def = store.field('Account', name);
        const c = def ? coerceJson(def, value) : null;
        if (c?.ok) rec[name] = c.value;
      }
    }
  }
  for (const c of snapshot.contacts) {
    const { first, last } = splitName(c.name);
    map.contacts[c.id] = insert('Contact', {
      AccountId: ref(map.accounts, 'Account', c.accountId),
      FirstName: first,
      LastName: last,
      Email: c.email,
      Title: c.title,
      Active__c: c.active,
      Referenceable__c: c.referenceable,
      ...currency,
    });
  }
  for (const o of snapshot.opportunities) {
    const stage = o.status === 'won' ? SF_STAGES.won : o.status === 'lost' ? SF_STAGES.lost : SF_STAGES.open;
    const inCurrency = foreign(o.conversion);
    const oppCurrency: Record<string, SfValue> = inCurrency ? { CurrencyIsoCode: inCurrency.currency } : currency;
    const oppId = insert('Opportunity', {
      AccountId: ref(map.accounts, 'Account', o.accountId),
      Name: o.name,
      StageName: stage,
      Amount: inCurrency ? inCurrency.amount : o.amount,
      CloseDate: o.closeDate.slice(0, 10),
      OwnerId: o.ownerId !== null ? ref(map.users, 'User', o.ownerId) : store.integrationUserId,
      ...oppCurrency,
    });
    map.opportunities[o.id] = oppId;
    for (const li of o.lineItems) {
      // Line items are in their opportunity's currency (OpportunityLineItem.CurrencyIsoCode follows it).
      const rate = inCurrency?.rate ?? 1;
      const total = inCurrency ? (li.conversion?.amount ?? Math.round((li.totalPrice / rate) * 100) / 100) : li.totalPrice;
      const values: Record<string, SfValue> = {
        OpportunityId: oppId,
        Product2Id: ref(map.products, 'Product2', li.productId),
        Quantity: li.quantity,
        UnitPrice: li.quantity !== 0 ? Math.round((total / li.quantity) * 100) / 100 : total,
        TotalPrice: total,
        Cost__c: li.cost === null ? null : inCurrency ? Math.round((li.cost / rate) * 100) / 100 : li.cost,
        ...oppCurrency,
      };
      map.lineItems[li.id] = insert('OpportunityLineItem', values);
    }
  }
  for (const r of snapshot.contactRoles ?? []) {
    const opportunity = map.opportunities[r.opportunityId];
    const contact = map.contacts[r.contactId];
    // A role needs both its records (OpportunityId and ContactId are required on insert).
    if (opportunity === undefined || contact === undefined) continue;
    map.contactRoles[r.id] = insert('OpportunityContactRole', { OpportunityId: opportunity, ContactId: contact, Role: r.role, IsPrimary: r.primary, ...currency });
  }
  return map;
}
