import type { Snapshot } from '../../model/snapshot.ts';
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
  store.companyCurrency = snapshot.currency;
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
    const id = create('deals', {
      dealname: o.name,
      amount: str(o.amount),
      closedate: new Date(`${o.closeDate.slice(0, 10)}T00:00:00.000Z`).toISOString(),
      dealstage: STAGE[o.status],
      pipeline: 'default',
      hubspot_owner_id: o.ownerId !== null ? (map.users[o.ownerId] ?? null) : null,
      deal_currency_code: snapshot.currency,
    });
    map.opportunities[o.id] = id;
    const company = map.accounts[o.accountId];
    if (company) store.associate('deal-company', id, company);
    for (const li of o.lineItems) {
      const unitCost = li.cost === null ? null : li.quantity !== 0 ? li.cost / li.quantity : li.cost;
      const liId = create('line_items', {
        name: productName.get(li.productId) ?? `Product ${li.productId}`,
        hs_product_id: map.products[li.productId] ?? null,
        quantity: String(li.quantity),
        price: String(li.quantity !== 0 ? li.totalPrice / li.quantity : li.totalPrice),
        amount: String(li.totalPrice),
        hs_cost_of_goods_sold: str(unitCost),
      });
      map.lineItems[li.id] = liId;
      store.associate('deal-line_item', id, liId);
    }
  }
  return map;
}
