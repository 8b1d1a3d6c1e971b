/** HubSpot property definitions: the defaults each object starts with, and the valid pairs. */

export type HsObjectType = 'companies' | 'contacts' | 'deals' | 'line_items' | 'products' | 'tasks';
export const HS_OBJECT_TYPES: readonly HsObjectType[] = ['companies', 'contacts', 'deals', 'line_items', 'products', 'tasks'];

/** Path segments the API accepts for each object (names, singular names and type ids). */
const ALIASES: Record<string, HsObjectType> = {
  companies: 'companies', company: 'companies', '0-2': 'companies',
  contacts: 'contacts', contact: 'contacts', '0-1': 'contacts',
  deals: 'deals', deal: 'deals', '0-3': 'deals',
  line_items: 'line_items', line_item: 'line_items', '0-8': 'line_items',
  products: 'products', product: 'products', '0-7': 'products',
  tasks: 'tasks', task: 'tasks', '0-27': 'tasks',
};

export function hsObjectType(segment: string): HsObjectType | undefined {
  return ALIASES[segment.toLowerCase()];
}

/** Singular names used in association type names and messages. */
export const SINGULAR: Record<HsObjectType, string> = {
  companies: 'company', contacts: 'contact', deals: 'deal', line_items: 'line_item', products: 'product', tasks: 'task',
};

export type HsPropertyType = 'bool' | 'date' | 'datetime' | 'enumeration' | 'number' | 'phone_number' | 'string';

export interface HsOption {
  label: string;
  value: string;
  hidden: boolean;
  displayOrder: number;
  description?: string;
}

export interface HsPropertyDef {
  name: string;
  label: string;
  type: HsPropertyType;
  fieldType: string;
  groupName: string;
  description: string;
  options: HsOption[];
  displayOrder: number;
  hidden: boolean;
  hasUniqueValue: boolean;
  formField: boolean;
  hubspotDefined: boolean;
  readOnlyValue: boolean;
  numberDisplayHint?: string;
  createdAt: number;
  updatedAt: number;
}

export interface HsGroupDef {
  name: string;
  label: string;
  displayOrder: number;
  archived: boolean;
}

/** type -> fieldTypes HubSpot accepts with it. */
export const VALID_FIELD_TYPES: Record<HsPropertyType, string[]> = {
  bool: ['booleancheckbox', 'calculation_equation'],
  date: ['date'],
  datetime: ['date'],
  enumeration: ['select', 'radio', 'checkbox', 'booleancheckbox', 'calculation_equation'],
  number: ['number', 'calculation_equation'],
  phone_number: ['phonenumber'],
  string: ['text', 'textarea', 'html', 'file', 'phonenumber', 'calculation_equation'],
};

const BOOL_OPTIONS: HsOption[] = [
  { label: 'True', value: 'true', hidden: false, displayOrder: 0 },
  { label: 'False', value: 'false', hidden: false, displayOrder: 1 },
];

type Spec = [name: string, type: HsPropertyType, extra?: Partial<HsPropertyDef>];

const RO = { readOnlyValue: true } as const;

const COMMON: Spec[] = [
  ['hs_object_id', 'number', RO],
  ['createdate', 'datetime', RO],
  ['hs_createdate', 'datetime', RO],
];

const SPECS: Record<HsObjectType, Spec[]> = {
  companies: [
    ...COMMON,
    ['hs_lastmodifieddate', 'datetime', RO],
    ['name', 'string'],
    ['domain', 'string'],
    ['industry', 'string'],
    ['numberofemployees', 'number'],
    ['annualrevenue', 'number'],
    ['country', 'string'],
    ['hubspot_owner_id', 'enumeration'],
    ['hs_is_target_account', 'bool', { options: BOOL_OPTIONS }],
    ['hs_parent_company_id', 'number', RO],
  ],
  contacts: [
    ...COMMON,
    ['lastmodifieddate', 'datetime', RO],
    ['firstname', 'string'],
    ['lastname', 'string'],
    ['email', 'string'],
    ['jobtitle', 'string'],
    ['associatedcompanyid', 'number', RO],
    ['referenceable', 'bool', { options: BOOL_OPTIONS, hubspotDefined: false, groupName: 'contactinformation' }],
    ['active', 'bool', { options: BOOL_OPTIONS, hubspotDefined: false, groupName: 'contactinformation' }],
  ],
  deals: [
    ...COMMON,
    ['hs_lastmodifieddate', 'datetime', RO],
    ['dealname', 'string'],
    ['amount', 'number'],
    ['closedate', 'datetime'],
    ['dealstage', 'enumeration'],
    ['pipeline', 'enumeration'],
    ['hubspot_owner_id', 'enumeration'],
    ['deal_currency_code', 'enumeration'],
    // Calculated by HubSpot from amount and the portal's exchange rate ("Amount in company currency").
    ['amount_in_home_currency', 'number', RO],
  ],
  line_items: [
    ...COMMON,
    ['hs_lastmodifieddate', 'datetime', RO],
    ['name', 'string'],
    ['hs_product_id', 'number'],
    ['quantity', 'number'],
    ['price', 'number'],
    ['amount', 'number'],
    ['hs_cost_of_goods_sold', 'number'],
    ['hs_line_item_currency_code', 'enumeration'],
  ],
  products: [
    ...COMMON,
    ['hs_lastmodifieddate', 'datetime', RO],
    ['name', 'string'],
    ['description', 'string'],
    ['price', 'number'],
    ['product_family', 'string', { hubspotDefined: false, groupName: 'productinformation' }],
    ['active', 'bool', { options: BOOL_OPTIONS, hubspotDefined: false, groupName: 'productinformation' }],
  ],
  // Tasks guide (Activities | Tasks): hs_timestamp (the due date, required on create), subject,
  // body, status, priority, type, owner; the values the guide lists for each enumeration.
  tasks: [
    ...COMMON,
    ['hs_lastmodifieddate', 'datetime', RO],
    ['hs_timestamp', 'datetime'],
    ['hs_task_subject', 'string'],
    ['hs_task_body', 'string'],
    ['hs_task_status', 'enumeration', { options: enumOptions(['NOT_STARTED', 'IN_PROGRESS', 'WAITING', 'COMPLETED', 'DEFERRED']) }],
    ['hs_task_priority', 'enumeration', { options: enumOptions(['NONE', 'LOW', 'MEDIUM', 'HIGH']) }],
    ['hs_task_type', 'enumeration', { options: enumOptions(['EMAIL', 'CALL', 'TODO']) }],
    ['hubspot_owner_id', 'enumeration'],
  ],
};

function enumOptions(values: readonly string[]): HsOption[] {
  return values.map((value, i) => ({ label: value, value, hidden: false, displayOrder: i }));
}

const FIELD_TYPE: Record<HsPropertyType, string> = {
  bool: 'booleancheckbox', date: 'date', datetime: 'date', enumeration: 'select', number: 'number', phone_number: 'phonenumber', string: 'text',
};

export function defaultProperties(type: HsObjectType, now: number): HsPropertyDef[] {
  return SPECS[type].map(([name, t, extra], i) => ({
    name,
    label: name,
    type: t,
    fieldType: FIELD_TYPE[t],
    groupName: `${SINGULAR[type]}information`,
    description: '',
    options: [],
    displayOrder: i,
    hidden: false,
    hasUniqueValue: false,
    formField: false,
    hubspotDefined: true,
    readOnlyValue: false,
    createdAt: now,
    updatedAt: now,
    ...extra,
  }));
}

/** Properties a read returns when none are asked for (per object, as the API documents). */
export const DEFAULT_READ: Record<HsObjectType, string[]> = {
  companies: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
  contacts: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  deals: ['amount', 'closedate', 'createdate', 'dealname', 'dealstage', 'hs_lastmodifieddate', 'hs_object_id', 'pipeline'],
  line_items: ['amount', 'createdate', 'hs_lastmodifieddate', 'hs_object_id', 'hs_product_id', 'name', 'price', 'quantity'],
  products: ['createdate', 'description', 'hs_lastmodifieddate', 'hs_object_id', 'name', 'price'],
  tasks: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
};

export function modifiedProperty(type: HsObjectType): string {
  return type === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate';
}

export type Normalized = { ok: true; value: string | null } | { ok: false; message: string; code: string };

/** Checks and normalizes a value written to a property; an empty string clears it. */
export function normalizeValue(def: HsPropertyDef, raw: unknown): Normalized {
  if (raw === null || raw === '') return { ok: true, value: null };
  const text = typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : null;
  if (text === null) return { ok: false, code: 'INVALID_VALUE', message: `${JSON.stringify(raw)} is not a valid value for property ${def.name}` };
  switch (def.type) {
    case 'number': {
      const n = Number(text);
      return Number.isFinite(n) && text.trim() !== ''
        ? { ok: true, value: String(n) }
        : { ok: false, code: 'INVALID_INTEGER', message: `${text} was not a valid number.` };
    }
    case 'bool': {
      const v = text.toLowerCase();
      return v === 'true' || v === 'false' ? { ok: true, value: v } : { ok: false, code: 'INVALID_BOOLEAN', message: `${text} was not a valid boolean.` };
    }
    case 'enumeration': {
      if (def.options.length === 0) return { ok: true, value: text };
      const values = def.fieldType === 'checkbox' ? text.split(';') : [text];
      const bad = values.find((v) => !def.options.some((o) => o.value === v));
      return bad === undefined
        ? { ok: true, value: text }
        : { ok: false, code: 'INVALID_OPTION', message: `${bad} was not one of the allowed options: [${def.options.map((o) => o.value).join(', ')}]` };
    }
    case 'datetime':
    case 'date': {
      const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
      if (Number.isNaN(ms)) return { ok: false, code: 'INVALID_DATE', message: `${text} was not a valid date.` };
      const iso = new Date(ms).toISOString();
      return { ok: true, value: def.type === 'date' ? iso.slice(0, 10) : iso };
    }
    default:
      if (text.length > 65536) return { ok: false, code: 'INVALID_LENGTH', message: `Property ${def.name} is longer than 65536 characters` };
      return { ok: true, value: text };
  }
}
