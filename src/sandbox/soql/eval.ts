import type { SalesforceStore } from '../salesforce/store.ts';
import type { SfFieldDef, SfObjectDef } from '../salesforce/schema.ts';
import { toWire, type SfRecord, type SfValue } from '../salesforce/values.ts';
import type { Condition, OrderItem, SelectItem, SoqlQuery } from './ast.ts';
import { checkLiteral, compareValues, likeRegex, literalValue, normalize, NUMERIC } from './compare.ts';
import { SoqlError } from './errors.ts';

export type WireRecord = Record<string, unknown>;

/** A child relationship's records for one parent, before paging. */
export type ChildPager = (objectName: string, records: WireRecord[]) => unknown;

export interface EvalContext {
  store: SalesforceStore;
  /** queryAll: deleted records are included. */
  includeDeleted: boolean;
  /** API version for record URLs, e.g. `62.0`. */
  version: string;
  pageChildren: ChildPager;
}

interface ResolvedPath {
  /** Reference fields followed, then the final field. */
  hops: SfFieldDef[];
  field: SfFieldDef;
  /** Output keys: relationship names, then the field name. */
  keys: string[];
}

function noColumn(name: string, objectName: string): SoqlError {
  return new SoqlError(
    'INVALID_FIELD',
    `No such column '${name}' on entity '${objectName}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
  );
}

function resolvePath(store: SalesforceStore, obj: SfObjectDef, path: string[]): ResolvedPath {
  const hops: SfFieldDef[] = [];
  const keys: string[] = [];
  let current = obj;
  for (let i = 0; i < path.length - 1; i++) {
    const rel = (path[i] as string).toLowerCase();
    const ref = store
      .visibleFields(current.name)
      .find((f) => f.type === 'reference' && f.relationshipName?.toLowerCase() === rel);
    if (!ref || !ref.referenceTo || !ref.relationshipName) {
      throw new SoqlError(
        'INVALID_FIELD',
        `Didn't understand relationship '${path[i]}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
    hops.push(ref);
    keys.push(ref.relationshipName);
    const next = store.object(ref.referenceTo);
    if (!next) throw noColumn(path[i] as string, current.name);
    current = next;
  }
  const last = path[path.length - 1] as string;
  const field = store.field(current.name, last);
  if (!field) throw noColumn(last, current.name);
  keys.push(field.name);
  return { hops, field, keys };
}

function objectOf(store: SalesforceStore, name: string): SfObjectDef {
  const obj = store.object(name);
  if (!obj) {
    throw new SoqlError(
      'INVALID_TYPE',
      `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  return obj;
}

/** Follows the path's references; undefined when a lookup on the way is empty. */
function valueAt(store: SalesforceStore, rec: SfRecord, path: ResolvedPath): SfValue {
  let current: SfRecord | undefined = rec;
  for (const hop of path.hops) {
    const id: SfValue | undefined = current[hop.name];
    current = typeof id === 'string' && hop.referenceTo ? store.get(hop.referenceTo, id) : undefined;
    if (!current) return null;
  }
  return current[path.field.name] ?? null;
}

type Predicate = (rec: SfRecord) => boolean;

function compileCondition(store: SalesforceStore, obj: SfObjectDef, cond: Condition, source: string | undefined): Predicate {
  switch (cond.kind) {
    case 'and': {
      const l = compileCondition(store, obj, cond.left, source);
      const r = compileCondition(store, obj, cond.right, source);
      return (rec) => l(rec) && r(rec);
    }
    case 'or': {
      const l = compileCondition(store, obj, cond.left, source);
      const r = compileCondition(store, obj, cond.right, source);
      return (rec) => l(rec) || r(rec);
    }
    case 'not': {
      const inner = compileCondition(store, obj, cond.inner, source);
      return (rec) => !inner(rec);
    }
    case 'compare': {
      const path = resolvePath(store, obj, cond.path);
      checkLiteral(path.field, cond.value, source);
      const want = normalize(path.field, literalValue(cond.value));
      const op = cond.op;
      return (rec) => {
        const have = normalize(path.field, valueAt(store, rec, path));
        if (op === '=') return have === want || (have !== null && want !== null && compareValues(have, want) === 0);
        if (op === '!=') return !(have === want || (have !== null && want !== null && compareValues(have, want) === 0));
        if (have === null || want === null) return false;
        const c = compareValues(have, want);
        return op === '<' ? c < 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : c >= 0;
      };
    }
    case 'in': {
      const path = resolvePath(store, obj, cond.path);
      for (const v of cond.values) checkLiteral(path.field, v, source);
      const wanted = new Set(cond.values.map((v) => normalize(path.field, literalValue(v))));
      return (rec) => {
        const have = normalize(path.field, valueAt(store, rec, path));
        return wanted.has(have) !== cond.negated;
      };
    }
    case 'like': {
      const path = resolvePath(store, obj, cond.path);
      if (path.field.type === 'id' || path.field.type === 'reference') {
        throw new SoqlError('INVALID_QUERY_FILTER_OPERATOR', 'invalid operator on id field');
      }
      if (NUMERIC.has(path.field.type) || path.field.type === 'boolean' || path.field.type === 'date' || path.field.type === 'datetime') {
        throw new SoqlError('INVALID_QUERY_FILTER_OPERATOR', `invalid operator on field '${path.field.name}': LIKE`);
      }
      const re = likeRegex(cond.pattern);
      return (rec) => {
        const have = valueAt(store, rec, path);
        return typeof have === 'string' && re.test(have);
      };
    }
  }
}

function compileOrder(store: SalesforceStore, obj: SfObjectDef, items: OrderItem[]): (a: SfRecord, b: SfRecord) => number {
  const resolved = items.map((item) => ({ item, path: resolvePath(store, obj, item.path) }));
  return (a, b) => {
    for (const { item, path } of resolved) {
      const va = normalize(path.field, valueAt(store, a, path));
      const vb = normalize(path.field, valueAt(store, b, path));
      if (va === null && vb === null) continue;
      if (va === null) return item.nullsLast ? 1 : -1;
      if (vb === null) return item.nullsLast ? -1 : 1;
      const c = compareValues(va, vb);
      if (c !== 0) return item.descending ? -c : c;
    }
    return 0;
  };
}

interface CompiledSelect {
  item: SelectItem;
  path?: ResolvedPath;
  child?: { query: CompiledQuery; field: string; relationship: string };
}

interface CompiledQuery {
  obj: SfObjectDef;
  select: CompiledSelect[];
  where: Predicate | null;
  order: ((a: SfRecord, b: SfRecord) => number) | null;
  limit: number | null;
  offset: number | null;
}

function compile(store: SalesforceStore, q: SoqlQuery, obj: SfObjectDef, source: string | undefined = q.source): CompiledQuery {
  const select: CompiledSelect[] = [];
  const seen = new Set<string>();
  for (const item of q.select) {
    if (item.kind === 'subquery') {
      // A child object the user cannot read takes its relationship with it.
      const rel = obj.children.find((c) => c.name.toLowerCase() === item.query.from.toLowerCase() && store.object(c.childObject) !== undefined);
      if (!rel) {
        throw new SoqlError(
          'INVALID_TYPE',
          `Didn't understand relationship '${item.query.from}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
        );
      }
      const childObj = objectOf(store, rel.childObject);
      select.push({ item, child: { query: compile(store, item.query, childObj, source), field: rel.field, relationship: rel.name } });
      continue;
    }
    const path = resolvePath(store, obj, item.path);
    const key = item.kind === 'convertCurrency' && item.alias ? item.alias.toLowerCase() : path.keys.join('.').toLowerCase();
    if (seen.has(key)) throw new SoqlError('MALFORMED_QUERY', `duplicate field selected: ${item.kind === 'convertCurrency' && item.alias ? item.alias : path.keys.join('.')}`);
    seen.add(key);
    if (item.kind === 'convertCurrency') {
      if (path.field.type !== 'currency') {
        throw new SoqlError('INVALID_FIELD', `convertCurrency() can only be applied to currency fields: ${item.path.join('.')}`);
      }
      if (!store.options.multiCurrency) {
        throw new SoqlError('INVALID_FIELD', 'convertCurrency() is only supported in organizations with multiple currencies enabled');
      }
    }
    select.push({ item, path });
  }
  return {
    obj,
    select,
    where: q.where ? compileCondition(store, obj, q.where, source) : null,
    order: q.orderBy.length > 0 ? compileOrder(store, obj, q.orderBy) : null,
    limit: q.limit,
    offset: q.offset,
  };
}

function attributes(ctx: EvalContext, type: string, id: SfValue | undefined): { type: string; url: string } {
  return { type, url: `/services/data/v${ctx.version}/sobjects/${type}/${String(id ?? '')}` };
}

function project(ctx: EvalContext, cq: CompiledQuery, rec: SfRecord, childIndex: Map<string, Map<string, SfRecord[]>>): WireRecord {
  const out: WireRecord = { attributes: attributes(ctx, cq.obj.name, rec['Id']) };
  for (const s of cq.select) {
    if (s.child) {
      const children = childIndex.get(s.child.relationship)?.get(String(rec['Id'])) ?? [];
      const rows = runRows(s.child.query, children);
      out[s.child.relationship] = rows.length === 0 ? null : ctx.pageChildren(s.child.query.obj.name, rows.map((r) => project(ctx, s.child!.query, r, new Map())));
      continue;
    }
    const path = s.path as ResolvedPath;
    let value = valueAt(ctx.store, rec, path);
    if (s.item.kind === 'convertCurrency' && typeof value === 'number') {
      const holder = path.hops.length === 0 ? rec : undefined;
      const code = holder ? holder['CurrencyIsoCode'] : null;
      value = Math.round((value / ctx.store.conversionRate(typeof code === 'string' ? code : null)) * 100) / 100;
    }
    if (s.item.kind === 'convertCurrency' && s.item.alias) {
      out[s.item.alias] = toWire(path.field, value);
      continue;
    }
    if (path.hops.length === 0) {
      out[path.field.name] = toWire(path.field, value);
      continue;
    }
    // Parent fields nest under their relationship names; an empty lookup is null.
    let target = out;
    let parentRec: SfRecord | undefined = rec;
    for (let i = 0; i < path.hops.length; i++) {
      const hop = path.hops[i] as SfFieldDef;
      const key = path.keys[i] as string;
      const id: SfValue | undefined = parentRec?.[hop.name];
      parentRec = typeof id === 'string' && hop.referenceTo ? ctx.store.get(hop.referenceTo, id) : undefined;
      if (!parentRec) {
        if (!(key in target)) target[key] = null;
        break;
      }
      const existing = target[key];
      if (existing && typeof existing === 'object') target = existing as WireRecord;
      else {
        const nested: WireRecord = { attributes: attributes(ctx, hop.referenceTo as string, parentRec['Id']) };
        target[key] = nested;
        target = nested;
      }
      if (i === path.hops.length - 1) target[path.field.name] = toWire(path.field, value);
    }
  }
  return out;
}

function runRows(cq: CompiledQuery, candidates: Iterable<SfRecord>): SfRecord[] {
  let rows: SfRecord[] = [];
  for (const rec of candidates) if (!cq.where || cq.where(rec)) rows.push(rec);
  if (cq.order) rows.sort(cq.order);
  if (cq.offset) rows = rows.slice(cq.offset);
  if (cq.limit !== null) rows = rows.slice(0, cq.limit);
  return rows;
}

/** Runs a parsed query against the store and returns the projected records in order. */
export function executeSoql(q: SoqlQuery, ctx: EvalContext): WireRecord[] {
  const obj = objectOf(ctx.store, q.from);
  const cq = compile(ctx.store, q, obj);
  const alive = (r: SfRecord): boolean => ctx.includeDeleted || r['IsDeleted'] !== true;
  const rows = runRows(cq, [...ctx.store.table(obj.name).values()].filter(alive));
  const childIndex = new Map<string, Map<string, SfRecord[]>>();
  for (const s of cq.select) {
    if (!s.child) continue;
    const byParent = new Map<string, SfRecord[]>();
    for (const c of ctx.store.table(s.child.query.obj.name).values()) {
      if (!alive(c)) continue;
      const parent = c[s.child.field];
      if (typeof parent !== 'string') continue;
      const list = byParent.get(parent);
      if (list) list.push(c);
      else byParent.set(parent, [c]);
    }
    childIndex.set(s.child.relationship, byParent);
  }
  return rows.map((r) => project(ctx, cq, r, childIndex));
}
