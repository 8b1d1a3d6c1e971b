import type { SandboxClock } from '../clock.ts';
import type { IdFactory } from '../ids.ts';
import { seedLayouts } from './layouts.ts';
import { baseSchema, type SfFieldDef, type SfObjectDef } from './schema.ts';
import type { SfRecord, SfValue } from './values.ts';

/** Stages whose names decide IsWon / IsClosed, as in a default Salesforce org. */
export const SF_STAGES = {
  won: 'Closed Won',
  lost: 'Closed Lost',
  open: 'Prospecting',
} as const;

export interface SfStoreOptions {
  multiCurrency: boolean;
  corporateCurrency: string;
  dailyLimit: number;
  /**
   * CurrencyType conversion rates of a multi-currency org, as Salesforce keeps them: units of
   * each currency for one unit of the corporate currency. Defaults: EUR 0.5, GBP 0.25, JPY 160.
   */
  rates?: Readonly<Record<string, number>>;
  /** Advanced currency management: the DatedConversionRate rows (rate from `start` on), same form. */
  datedRates?: readonly { code: string; rate: number; start: string }[];
}

export interface ObjectAccess {
  read: boolean;
  create: boolean;
  edit: boolean;
}

const DEFAULT_SF_RATES: Readonly<Record<string, number>> = { EUR: 0.5, GBP: 0.25, JPY: 160 };

/**
 * The Salesforce org's data: records by object, the schema with custom fields, field-level
 * security, and the API usage counter. Every write stamps SystemModstamp/LastModifiedDate from
 * the shared clock.
 */
export class SalesforceStore {
  readonly schema: Map<string, SfObjectDef> = baseSchema();
  private readonly records = new Map<string, Map<string, SfRecord>>();
  readonly orgId: string;
  readonly integrationUserId: string;
  apiUsed = 0;
  readonly createdAt: number;
  dailyLimit: number;
  private flsCache: Map<string, { read: boolean; edit: boolean }> | null = null;
  private objectCache: Map<string, ObjectAccess> | null = null;
  /** Standard objects and fields the integration user's profile keeps from it (lower case; see access.ts). */
  private hiddenObjects = new Set<string>();
  private hiddenFields = new Set<string>();
  /** Page layouts by full name (`Account-Account Layout`): the Layout's XML content, as the Metadata API holds it. */
  readonly layouts = new Map<string, string>();

  constructor(
    private readonly clock: SandboxClock,
    private readonly ids: IdFactory,
    readonly options: SfStoreOptions,
  ) {
    this.dailyLimit = options.dailyLimit;
    this.createdAt = clock.peek();
    for (const name of this.schema.keys()) this.records.set(name, new Map());
    this.orgId = this.insert('Organization', { Name: 'Kamflow Sandbox' });
    seedLayouts(this);
    this.integrationUserId = this.insert('User', { Name: 'Integration User', IsActive: true, Email: 'integration@sandbox.invalid' });
    if (options.multiCurrency) {
      const decimals = (code: string): number => (code === 'JPY' ? 0 : 2);
      const corporate = options.corporateCurrency;
      this.insert('CurrencyType', { IsoCode: corporate, IsCorporate: true, ConversionRate: 1, IsActive: true, DecimalPlaces: decimals(corporate) });
      for (const [code, rate] of Object.entries(options.rates ?? DEFAULT_SF_RATES)) {
        if (code !== corporate) this.insert('CurrencyType', { IsoCode: code, IsCorporate: false, ConversionRate: rate, IsActive: true, DecimalPlaces: decimals(code) });
      }
      const dated = [...(options.datedRates ?? [])].sort((a, b) => (a.code === b.code ? (a.start < b.start ? -1 : 1) : a.code < b.code ? -1 : 1));
      dated.forEach((row, i) => {
        const next = dated[i + 1];
        this.insert('DatedConversionRate', {
          IsoCode: row.code, ConversionRate: row.rate, StartDate: row.start, NextStartDate: next && next.code === row.code ? next.start : null,
        });
      });
    }
  }

  /** Advanced currency management is on (DatedConversionRate exists). */
  get datedRates(): boolean {
    return this.options.multiCurrency && (this.options.datedRates?.length ?? 0) > 0;
  }

  /** The object as the integration user sees it, or undefined (INVALID_TYPE). */
  object(name: string): SfObjectDef | undefined {
    const def = this.schema.get(name) ?? [...this.schema.values()].find((d) => d.name.toLowerCase() === name.toLowerCase());
    if (!def || (def.multiCurrencyOnly && !this.options.multiCurrency) || (def.datedRatesOnly && !this.datedRates)) return undefined;
    if (def.needsObjectPermission && !this.objectAccess(def.name).read) return undefined;
    if (this.hiddenObjects.has(def.name.toLowerCase())) return undefined;
    return def;
  }

  /** Replaces the objects and fields (`Object.Field`) the integration user may not read; names checked by access.ts. */
  setHidden(objects: readonly string[], fields: readonly string[]): void {
    this.hiddenObjects = new Set(objects.map((o) => o.toLowerCase()));
    this.hiddenFields = new Set(fields.map((f) => f.toLowerCase()));
  }

  /** A field the integration user can read, matched case-insensitively, or undefined. */
  field(objectName: string, fieldName: string): SfFieldDef | undefined {
    const obj = this.object(objectName);
    if (!obj) return undefined;
    const lower = fieldName.toLowerCase();
    const def = obj.fields.find((x) => x.name.toLowerCase() === lower);
    if (!def) return undefined;
    if (def.multiCurrencyOnly && !this.options.multiCurrency) return undefined;
    if (def.needsFls && !this.fls(obj.name, def.name).read) return undefined;
    if (this.hiddenFields.has(`${obj.name}.${def.name}`.toLowerCase())) return undefined;
    return def;
  }

  /** Fields visible to the integration user (describe, SELECT-able). */
  visibleFields(objectName: string): SfFieldDef[] {
    const obj = this.object(objectName);
    if (!obj) return [];
    return obj.fields.filter((d) => this.field(obj.name, d.name) !== undefined);
  }

  canEdit(objectName: string, def: SfFieldDef): boolean {
    if (def.readOnly) return false;
    return !def.needsFls || this.fls(objectName, def.name).edit;
  }

  addCustomField(objectName: string, def: SfFieldDef): void {
    const obj = this.schema.get(objectName);
    if (!obj) throw new Error(`unknown object ${objectName}`);
    obj.fields.push(def);
    this.flsCache = null;
  }

  /** Adds a custom object (createMetadata); it stays out of reach until object permissions grant it. */
  addCustomObject(def: SfObjectDef): void {
    this.schema.set(def.name, def);
    this.records.set(def.name, new Map());
    this.flsCache = null;
    this.objectCache = null;
  }

  /** What the integration user may do with a custom object, through its assigned permission sets. */
  objectAccess(objectName: string): ObjectAccess {
    const def = this.schema.get(objectName);
    if (def && !def.needsObjectPermission) return { read: true, create: true, edit: true };
    if (!this.objectCache) this.objectCache = this.computeObjectAccess();
    return this.objectCache.get(objectName.toLowerCase()) ?? { read: false, create: false, edit: false };
  }

  private assignedPermissionSets(): Set<string> {
    const assigned = new Set<string>();
    for (const a of this.table('PermissionSetAssignment').values()) {
      if (!a['IsDeleted'] && a['AssigneeId'] === this.integrationUserId) assigned.add(String(a['PermissionSetId']));
    }
    return assigned;
  }

  private computeObjectAccess(): Map<string, ObjectAccess> {
    const assigned = this.assignedPermissionSets();
    const out = new Map<string, ObjectAccess>();
    for (const p of this.table('ObjectPermissions').values()) {
      if (p['IsDeleted'] || !assigned.has(String(p['ParentId']))) continue;
      const key = String(p['SobjectType']).toLowerCase();
      const prev = out.get(key) ?? { read: false, create: false, edit: false };
      out.set(key, { read: prev.read || p['PermissionsRead'] === true, create: prev.create || p['PermissionsCreate'] === true, edit: prev.edit || p['PermissionsEdit'] === true });
    }
    return out;
  }

  /** Grants a custom field as if a permission set had already been assigned (seeded orgs). */
  fls(objectName: string, fieldName: string): { read: boolean; edit: boolean } {
    if (!this.flsCache) this.flsCache = this.computeFls();
    return this.flsCache.get(`${objectName}.${fieldName}`.toLowerCase()) ?? { read: false, edit: false };
  }

  private computeFls(): Map<string, { read: boolean; edit: boolean }> {
    const assigned = this.assignedPermissionSets();
    const out = new Map<string, { read: boolean; edit: boolean }>();
    for (const p of this.table('FieldPermissions').values()) {
      if (p['IsDeleted'] || !assigned.has(String(p['ParentId']))) continue;
      const key = String(p['Field']).toLowerCase();
      const prev = out.get(key) ?? { read: false, edit: false };
      const edit = prev.edit || p['PermissionsEdit'] === true;
      out.set(key, { read: prev.read || p['PermissionsRead'] === true || edit, edit });
    }
    return out;
  }

  private dropAccessCaches(): void {
    this.flsCache = null;
    this.objectCache = null;
  }

  table(objectName: string): Map<string, SfRecord> {
    const t = this.records.get(objectName);
    if (!t) throw new Error(`unknown object ${objectName}`);
    return t;
  }

  get(objectName: string, id: string): SfRecord | undefined {
    return this.records.get(objectName)?.get(id);
  }

  /** Finds a record by id in any object (ids carry their object's key prefix). */
  findById(id: string): { object: string; record: SfRecord } | undefined {
    for (const [object, t] of this.records) {
      const record = t.get(id);
      if (record) return { object, record };
    }
    return undefined;
  }

  /**
   * Salesforce keeps datetimes to the second (the API shows `.000`), so records written in the
   * same second share their SystemModstamp, as a batch update does in a real org: incremental
   * readers must page by (SystemModstamp, Id), not by the stamp alone.
   */
  private stamp(at?: number): number {
    return Math.floor((at ?? this.clock.stamp()) / 1000) * 1000;
  }

  insert(objectName: string, values: Record<string, SfValue>, at?: number): string {
    const id = this.ids.salesforce(objectName);
    const now = this.stamp(at);
    const rec: SfRecord = { ...values, Id: id, IsDeleted: false, CreatedDate: now, LastModifiedDate: now, SystemModstamp: now };
    // A checkbox is never null in Salesforce.
    for (const f of this.schema.get(objectName)?.fields ?? []) if (f.type === 'boolean' && rec[f.name] == null) rec[f.name] = false;
    this.derive(objectName, rec);
    this.table(objectName).set(id, rec);
    if (objectName === 'FieldPermissions' || objectName === 'PermissionSetAssignment' || objectName === 'ObjectPermissions') this.dropAccessCaches();
    return id;
  }

  /** Told of every applied update, with the values it set (a test's record of what was written). */
  updateListener: ((objectName: string, id: string, values: Record<string, SfValue>) => void) | null = null;

  /** Applies changes and moves the modified stamps; returns false when the record is gone. */
  update(objectName: string, id: string, values: Record<string, SfValue>): boolean {
    const rec = this.get(objectName, id);
    if (!rec || rec['IsDeleted']) return false;
    Object.assign(rec, values);
    this.updateListener?.(objectName, id, values);
    const now = this.stamp();
    rec['LastModifiedDate'] = now;
    rec['SystemModstamp'] = now;
    this.derive(objectName, rec);
    if (objectName === 'FieldPermissions' || objectName === 'PermissionSetAssignment' || objectName === 'ObjectPermissions') this.dropAccessCaches();
    return true;
  }

  /** Removes a record as if it had never been inserted (an all-or-none rollback). */
  discard(objectName: string, id: string): void {
    this.table(objectName).delete(id);
    this.dropAccessCaches();
  }

  /** Moves a record to the recycle bin, with the children Salesforce deletes along with it. */
  delete(objectName: string, id: string): boolean {
    const rec = this.get(objectName, id);
    if (!rec || rec['IsDeleted']) return false;
    const now = this.stamp();
    rec['IsDeleted'] = true;
    rec['LastModifiedDate'] = now;
    rec['SystemModstamp'] = now;
    const cascade: Record<string, [string, string][]> = {
      Account: [['Contact', 'AccountId'], ['Opportunity', 'AccountId']],
      Opportunity: [['OpportunityLineItem', 'OpportunityId'], ['OpportunityContactRole', 'OpportunityId']],
      Contact: [['OpportunityContactRole', 'ContactId']],
    };
    for (const [child, field] of cascade[objectName] ?? []) {
      for (const c of this.table(child).values()) {
        if (c[field] === id && !c['IsDeleted']) this.delete(child, String(c['Id']));
      }
    }
    return true;
  }

  private derive(objectName: string, rec: SfRecord): void {
    if (objectName === 'Opportunity') {
      const stage = rec['StageName'];
      rec['IsWon'] = stage === SF_STAGES.won;
      rec['IsClosed'] = stage === SF_STAGES.won || stage === SF_STAGES.lost;
    } else if (objectName === 'Contact') {
      rec['Name'] = [rec['FirstName'], rec['LastName']].filter((x) => typeof x === 'string' && x !== '').join(' ');
    } else if (objectName === 'Task') {
      rec['IsClosed'] = rec['Status'] === 'Completed';
      const what = typeof rec['WhatId'] === 'string' ? rec['WhatId'] : null;
      rec['AccountId'] = what !== null && what.startsWith('001') ? what : null;
    } else if (objectName === 'OpportunityLineItem') {
      const q = rec['Quantity'];
      const u = rec['UnitPrice'];
      if (typeof q === 'number' && typeof u === 'number' && rec['TotalPrice'] == null) rec['TotalPrice'] = q * u;
    }
  }

  /** ConversionRate of a currency against the corporate one (1 without multi-currency). */
  conversionRate(code: string | null): number {
    if (!this.options.multiCurrency || !code) return 1;
    for (const c of this.table('CurrencyType').values()) {
      if (c['IsoCode'] === code && typeof c['ConversionRate'] === 'number') return c['ConversionRate'];
    }
    return 1;
  }

  limitHeader(): string {
    return `api-usage=${this.apiUsed}/${this.dailyLimit}`;
  }
}
