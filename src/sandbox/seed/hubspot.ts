import type { Conversion, Snapshot } from '../../model/snapshot.ts';
import { normalizeValue } from '../hubspot/properties.ts';
import type { HsObjectType } from '../hubspot/properties.ts';
import type { HubSpotStore } from '../hubspot/store.ts';
import { KAM_KEYS, SANDBOX_FIELDS, splitName, slug } from './names.ts';
import { emptyIdMap, type IdMap } from './salesforce.ts';

const STAGE = SANDBOX_FIELDS.hubspot.stages;

function str(v: number | string | null | undefined): string | null {
  return v === null || v === undefined ? null : String(v);
}

/**
 * Loads a snapshot into the HubSpot store. A parent missing from the snapshot becomes an
 * archived company, so the child's `hs_parent_company_id` points at a record that reads cannot
 * return. A line item's `hs_cost_of_goods_sold` is the unit cost (cost / quantity), as HubSpot
 * defines it.
 */
export function seedHubSpot(store: HubSpotStore, snapshot: Snapshot, provisioned: boolean, stamp?: () => number): IdMap {
  const map = emptyIdMap();
  // A multi-currency portal books a record with a conversion note in the note's currency.
  const foreign = (note: Conversion | undefined): Conversion | null => (note && note.rate !== null && store.exchangeRates.has(note.currency) ? note : null);
  const create = (type: HsObjectType, props: Record<string, string | null>): string => store.create(type, props, stamp?.());
  for (const u of snapshot.users) {
    const { first, last } = splitName(u.name);
    map.users[u.id] = store.addOwner(first, last, `${slug(u.name)}@sandbox.invalid`, !u.active);
  }
  for (const p of snapshot.products) {
    map.products[p.id] = create('products', { name: p.name, product_family: p.family, active: String(p.active) });
  }
  for (const a of snapshot.accounts) {
    const props: Record<string, string | null> = {
      name: a.name,
      industry: a.industry,
      numberofemployees: str(a.employees),
      annualrevenue: str(a.annualRevenue),
      country: a.country,
      hubspot_owner_id: a.ownerId !== null ? (map.users[a.ownerId] ?? null) : null,
      hs_is_target_account: a.markedKey === null ? null : String(a.markedKey),
    };
    if (provisioned) {
      for (const key of KAM_KEYS) {
        const def = store.property('companies', key);
        const value = a.fields[key];
        if (!def || value === undefined) continue;
        const n = normalizeValue(def, value);
        if (n.ok) props[key] = n.value;
      }
    }
    map.accounts[a.id] = create('companies', props);
  }
  const placeholders = new Map<string, string>();
  for (const a of snapshot.accounts) {
    if (a.parentId === null) continue;
    let parent = map.accounts[a.parentId];
    if (!parent) {
      parent = placeholders.get(a.parentId);
      if (!parent) {
        parent = create('companies', { name: `Unknown parent ${a.parentId}` });
        store.archive('companies', parent);
        placeholders.set(a.parentId, parent);
      }
    }
    store.associate('parent-child', parent, map.accounts[a.id] as string);
  }
  for (const c of snapshot.contacts) {
    const { first, last } = splitName(c.name);
    const id = create('contacts', {
      firstname: first,
      lastname: last,
      email: c.email,
      jobtitle: c.title,
      referenceable: String(c.referenceable),
      active: String(c.active),
    });
    map.contacts[c.id] = id;
    const company = c.accountId !== null ? map.accounts[c.accountId] : undefined;
    if (company) store.associate('contact-company', id, company);
  }
  const productName = new Map(snapshot.products.map((p) => [p.id, p.name]));
  for (const o of snapshot.opportunities) {
    const inCurrency = foreign(o.conversion);
    const id = create('deals', {
      dealname: o.name,
      amount: inCurrency ? String(inCurrency.amount) : str(o.amount),
      closedate: new Date(`${o.closeDate.slice(0, 10)}T00:00:00.000Z`).toISOString(),
      dealstage: STAGE[o.status],
      pipeline: 'default',
      hubspot_owner_id: o.ownerId !== null ? (map.users[o.ownerId] ?? null) : null,
      deal_currency_code: inCurrency ? inCurrency.currency : snapshot.currency,
    });
    map.opportunities[o.id] = id;
    const company = map.accounts[o.accountId];
    if (company) store.associate('deal-company', id, company);
    for (const li of o.lineItems) {
      const lineCurrency = foreign(li.conversion);
      const rate = lineCurrency?.rate ?? 1;
      const total = lineCurrency ? lineCurrency.amount : li.totalPrice;
      const cost = li.cost === null ? null : lineCurrency ? Math.round((li.cost / rate) * 100) / 100 : li.cost;
      const unitCost = cost === null ? null : li.quantity !== 0 ? cost / li.quantity : cost;
      const liId = create('line_items', {
        name: productName.get(li.productId) ?? `Product ${li.productId}`,
        hs_product_id: map.products[li.productId] ?? null,
        quantity: String(li.quantity),
        price: String(li.quantity !== 0 ? total / li.quantity : total),
        amount: String(total),
        hs_cost_of_goods_sold: str(unitCost),
        hs_line_item_currency_code: lineCurrency ? lineCurrency.currency : snapshot.currency,
      });
      map.lineItems[li.id] = liId;
      store.associate('deal-line_item', id, liId);
    }
  }
  // A contact's role on a deal is a labeled deal-contact association; one without a role is the plain one.
  for (const r of snapshot.contactRoles ?? []) {
    const deal = map.opportunities[r.opportunityId];
    const contact = map.contacts[r.contactId];
    if (deal === undefined || contact === undefined) continue;
    if (r.role === null) store.associate('deal-contact', deal, contact);
    else store.associateLabeled(deal, contact, r.role);
    map.contactRoles[r.id] = `${deal}-${contact}`;
  }
  return map;
}
