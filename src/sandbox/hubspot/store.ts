import type { SandboxClock } from '../clock.ts';
import type { IdFactory } from '../ids.ts';
import {
  defaultProperties, HS_OBJECT_TYPES, modifiedProperty, type HsGroupDef, type HsObjectType, type HsPropertyDef,
} from './properties.ts';

export interface HsObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
  archivedAt: number | null;
}

export interface HsAssociationType {
  /** A portal's own labels (deal-contact roles such as "Decision Maker") are USER_DEFINED. */
  category: 'HUBSPOT_DEFINED' | 'USER_DEFINED';
  typeId: number;
  label: string | null;
}

export type AssociationKind = 'parent-child' | 'contact-company' | 'deal-company' | 'deal-line_item' | 'task-company' | 'deal-contact';

/** Type ids both ways for each association kind (from side first, as the docs list them). */
const TYPES: Record<AssociationKind, { from: HsObjectType; to: HsObjectType; forward: HsAssociationType[]; backward: HsAssociationType[] }> = {
  'parent-child': {
    from: 'companies', to: 'companies',
    forward: [{ category: 'HUBSPOT_DEFINED', typeId: 13, label: 'Child Company' }],
    backward: [{ category: 'HUBSPOT_DEFINED', typeId: 14, label: 'Parent Company' }],
  },
  'contact-company': {
    from: 'contacts', to: 'companies',
    forward: [{ category: 'HUBSPOT_DEFINED', typeId: 1, label: 'Primary' }, { category: 'HUBSPOT_DEFINED', typeId: 279, label: null }],
    backward: [{ category: 'HUBSPOT_DEFINED', typeId: 2, label: 'Primary' }, { category: 'HUBSPOT_DEFINED', typeId: 280, label: null }],
  },
  'deal-company': {
    from: 'deals', to: 'companies',
    forward: [{ category: 'HUBSPOT_DEFINED', typeId: 5, label: 'Primary' }, { category: 'HUBSPOT_DEFINED', typeId: 341, label: null }],
    backward: [{ category: 'HUBSPOT_DEFINED', typeId: 6, label: 'Primary' }, { category: 'HUBSPOT_DEFINED', typeId: 342, label: null }],
  },
  'deal-line_item': {
    from: 'deals', to: 'line_items',
    forward: [{ category: 'HUBSPOT_DEFINED', typeId: 19, label: null }],
    backward: [{ category: 'HUBSPOT_DEFINED', typeId: 20, label: null }],
  },
  // The associations guide's default types: deal to contact 3, contact to deal 4 (unlabeled).
  'deal-contact': {
    from: 'deals', to: 'contacts',
    forward: [{ category: 'HUBSPOT_DEFINED', typeId: 3, label: null }],
    backward: [{ category: 'HUBSPOT_DEFINED', typeId: 4, label: null }],
  },
  // The associations guide's default types: task to company 192, company to task 191.
  'task-company': {
    from: 'tasks', to: 'companies',
    forward: [{ category: 'HUBSPOT_DEFINED', typeId: 192, label: null }],
    backward: [{ category: 'HUBSPOT_DEFINED', typeId: 191, label: null }],
  },
};

/** The association kind a HUBSPOT_DEFINED type id stands for from one object to another, if any. */
export function associationKindOf(from: HsObjectType, to: HsObjectType, typeId: number): AssociationKind | null {
  for (const [kind, t] of Object.entries(TYPES) as [AssociationKind, (typeof TYPES)[AssociationKind]][]) {
    if (t.from === from && t.to === to && t.forward.some((x) => x.typeId === typeId)) return kind;
  }
  return null;
}

export interface HsOwner {
  id: string;
  /** The owners API's `type`: a person (a user) or a queue. */
  type: 'PERSON' | 'QUEUE';
  userId: number;
  email: string;
  firstName: string;
  lastName: string;
  archived: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface HsStage {
  id: string;
  label: string;
  displayOrder: number;
  isClosed: boolean;
  probability: string;
}

/** The default sales pipeline; closed won is isClosed "true" with probability "1.0". */
export const HS_STAGES: HsStage[] = [
  { id: 'appointmentscheduled', label: 'Appointment Scheduled', displayOrder: 0, isClosed: false, probability: '0.2' },
  { id: 'qualifiedtobuy', label: 'Qualified To Buy', displayOrder: 1, isClosed: false, probability: '0.4' },
  { id: 'contractsent', label: 'Contract Sent', displayOrder: 2, isClosed: false, probability: '0.9' },
  { id: 'closedwon', label: 'Closed Won', displayOrder: 3, isClosed: true, probability: '1.0' },
  { id: 'closedlost', label: 'Closed Lost', displayOrder: 4, isClosed: true, probability: '0.0' },
];

/** The HubSpot portal's data: objects, properties and groups, associations, owners. */
export class HubSpotStore {
  private readonly objects = new Map<HsObjectType, Map<string, HsObject>>();
  readonly properties = new Map<HsObjectType, Map<string, HsPropertyDef>>();
  readonly groups = new Map<HsObjectType, Map<string, HsGroupDef>>();
  /** `${type}:${id}` -> `${toType}` -> toId -> types */
  private readonly assoc = new Map<string, Map<HsObjectType, Map<string, HsAssociationType[]>>>();
  readonly owners: HsOwner[] = [];
  readonly createdAt: number;
  dailyUsed = 0;
  dailyLimit: number;
  /** The portal's company currency, as the account details and the currencies API report it. */
  companyCurrency = 'USD';
  /** Exchange rates of a multi-currency portal: company-currency units for one unit of each currency. */
  exchangeRates = new Map<string, number>();

  constructor(
    private readonly clock: SandboxClock,
    private readonly ids: IdFactory,
    dailyLimit: number,
  ) {
    this.dailyLimit = dailyLimit;
    this.createdAt = clock.peek();
    for (const type of HS_OBJECT_TYPES) {
      this.objects.set(type, new Map());
      this.properties.set(type, new Map(defaultProperties(type, this.createdAt).map((p) => [p.name, p])));
      const groupNames = new Set([...(this.properties.get(type) as Map<string, HsPropertyDef>).values()].map((p) => p.groupName));
      this.groups.set(type, new Map([...groupNames].map((name, i) => [name, { name, label: name, displayOrder: i, archived: false }])));
    }
    const owner = this.properties.get('companies')?.get('hubspot_owner_id');
    if (owner) owner.options = [];
    const stage = this.properties.get('deals')?.get('dealstage');
    if (stage) stage.options = HS_STAGES.map((s) => ({ label: s.label, value: s.id, hidden: false, displayOrder: s.displayOrder }));
  }

  /** Sets the company currency and the other currencies' rates; the currency properties take them as options. */
  setCurrencies(company: string, rates: ReadonlyMap<string, number>): void {
    this.companyCurrency = company;
    this.exchangeRates = new Map(rates);
    const options = [company, ...rates.keys()].map((code, i) => ({ label: code, value: code, hidden: false, displayOrder: i }));
    for (const [type, name] of [['deals', 'deal_currency_code'], ['line_items', 'hs_line_item_currency_code']] as const) {
      const def = this.property(type, name);
      if (def) def.options = options;
    }
  }

  /**
   * What HubSpot calculates itself: a deal's amount in the company currency, from its amount
   * and currency at the portal's rate (company currency when the deal names none).
   */
  private derive(type: HsObjectType, props: Record<string, string | null>): void {
    if (type !== 'deals') return;
    const amount = props['amount'];
    const code = props['deal_currency_code'] ?? this.companyCurrency;
    const rate = code === this.companyCurrency ? 1 : this.exchangeRates.get(code);
    const n = amount === null || amount === undefined || amount === '' ? NaN : Number(amount);
    props['amount_in_home_currency'] = Number.isFinite(n) && rate !== undefined ? String(Math.round(n * rate * 100) / 100) : null;
  }

  table(type: HsObjectType): Map<string, HsObject> {
    return this.objects.get(type) as Map<string, HsObject>;
  }

  private readonly sorted = new Map<HsObjectType, HsObject[]>();

  /** Objects in id order (cached until the next create), so list paging stays cheap on big portals. */
  ordered(type: HsObjectType): HsObject[] {
    let list = this.sorted.get(type);
    if (!list) {
      list = [...this.table(type).values()].sort((a, b) => Number(a.id) - Number(b.id));
      this.sorted.set(type, list);
    }
    return list;
  }

  property(type: HsObjectType, name: string): HsPropertyDef | undefined {
    return this.properties.get(type)?.get(name);
  }

  create(type: HsObjectType, properties: Record<string, string | null>, at?: number): string {
    const id = this.ids.hubspot();
    const now = at ?? this.clock.stamp();
    const iso = new Date(now).toISOString();
    const props = { ...properties, hs_object_id: id, createdate: iso, hs_createdate: iso, [modifiedProperty(type)]: iso };
    this.derive(type, props);
    this.table(type).set(id, { id, properties: props, createdAt: now, updatedAt: now, archived: false, archivedAt: null });
    this.sorted.delete(type);
    return id;
  }

  /** Told of every applied update, with the properties it set (a test's record of what was written). */
  updateListener: ((type: HsObjectType, id: string, properties: Record<string, string | null>) => void) | null = null;

  /** Sets properties and moves the modified stamp; false when the object is gone. */
  update(type: HsObjectType, id: string, properties: Record<string, string | null>): boolean {
    const obj = this.table(type).get(id);
    if (!obj || obj.archived) return false;
    Object.assign(obj.properties, properties);
    this.updateListener?.(type, id, properties);
    this.derive(type, obj.properties);
    const now = this.clock.stamp();
    obj.updatedAt = now;
    obj.properties[modifiedProperty(type)] = new Date(now).toISOString();
    return true;
  }

  archive(type: HsObjectType, id: string): boolean {
    const obj = this.table(type).get(id);
    if (!obj || obj.archived) return false;
    const now = this.clock.stamp();
    obj.archived = true;
    obj.archivedAt = now;
    obj.updatedAt = now;
    return true;
  }

  restore(type: HsObjectType, id: string): boolean {
    const obj = this.table(type).get(id);
    if (!obj || !obj.archived) return false;
    obj.archived = false;
    obj.archivedAt = null;
    return true;
  }

  associate(kind: AssociationKind, fromId: string, toId: string): void {
    const t = TYPES[kind];
    this.link(t.from, fromId, t.to, toId, t.forward);
    this.link(t.to, toId, t.from, fromId, t.backward);
    if (kind === 'parent-child') {
      const child = this.table('companies').get(toId);
      if (child) child.properties['hs_parent_company_id'] = fromId;
    }
    if (kind === 'contact-company') {
      const contact = this.table('contacts').get(fromId);
      if (contact) contact.properties['associatedcompanyid'] = toId;
    }
  }

  /**
   * A deal-contact association with a portal label (USER_DEFINED, one type id per label and
   * direction, as HubSpot numbers a portal's labels from its own counter), besides the default type.
   */
  associateLabeled(dealId: string, contactId: string, label: string): void {
    this.associate('deal-contact', dealId, contactId);
    let ids = this.dealContactLabels.get(label);
    if (!ids) {
      const n = this.dealContactLabels.size;
      ids = { forward: 100 + 2 * n, backward: 101 + 2 * n };
      this.dealContactLabels.set(label, ids);
    }
    this.link('deals', dealId, 'contacts', contactId, [{ category: 'USER_DEFINED', typeId: ids.forward, label }]);
    this.link('contacts', contactId, 'deals', dealId, [{ category: 'USER_DEFINED', typeId: ids.backward, label }]);
  }

  /** The portal's deal-to-contact labels by name: their type ids both ways. */
  readonly dealContactLabels = new Map<string, { forward: number; backward: number }>();

  /** Removes an association both ways, as a user unlinking two records would; no modified date moves. */
  dissociate(kind: AssociationKind, fromId: string, toId: string): boolean {
    const t = TYPES[kind];
    const there = this.assoc.get(`${t.from}:${fromId}`)?.get(t.to)?.delete(toId) ?? false;
    this.assoc.get(`${t.to}:${toId}`)?.get(t.from)?.delete(fromId);
    if (there && kind === 'parent-child') {
      const child = this.table('companies').get(toId);
      if (child && child.properties['hs_parent_company_id'] === fromId) child.properties['hs_parent_company_id'] = null;
    }
    if (there && kind === 'contact-company') {
      const contact = this.table('contacts').get(fromId);
      if (contact && contact.properties['associatedcompanyid'] === toId) contact.properties['associatedcompanyid'] = null;
    }
    return there;
  }

  private link(fromType: HsObjectType, fromId: string, toType: HsObjectType, toId: string, types: HsAssociationType[]): void {
    const key = `${fromType}:${fromId}`;
    let byType = this.assoc.get(key);
    if (!byType) {
      byType = new Map();
      this.assoc.set(key, byType);
    }
    let targets = byType.get(toType);
    if (!targets) {
      targets = new Map();
      byType.set(toType, targets);
    }
    const existing = targets.get(toId) ?? [];
    for (const ty of types) if (!existing.some((e) => e.typeId === ty.typeId)) existing.push(ty);
    targets.set(toId, existing);
  }

  /** Associations of one record to another object type, ordered by target id. */
  associations(fromType: HsObjectType, fromId: string, toType: HsObjectType): { toId: string; types: HsAssociationType[] }[] {
    const targets = this.assoc.get(`${fromType}:${fromId}`)?.get(toType);
    if (!targets) return [];
    return [...targets.entries()]
      .filter(([toId]) => this.table(toType).get(toId)?.archived === false)
      .map(([toId, types]) => ({ toId, types }))
      .sort((a, b) => Number(a.toId) - Number(b.toId));
  }

  addOwner(firstName: string, lastName: string, email: string, archived: boolean, type: HsOwner['type'] = 'PERSON'): string {
    const id = this.ids.hubspot();
    const now = this.clock.peek();
    this.owners.push({ id, type, userId: Number(id) + 5000000, email, firstName, lastName, archived, createdAt: now, updatedAt: now });
    const opt = { label: `${firstName} ${lastName}`.trim(), value: id, hidden: archived, displayOrder: this.owners.length };
    for (const type of ['companies', 'deals', 'tasks'] as const) this.property(type, 'hubspot_owner_id')?.options.push(opt);
    return id;
  }
}
