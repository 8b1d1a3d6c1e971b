import { MAX_AMOUNT, MAX_QUANTITY, type Account, type Contact, type ContactRole, type Conversion, type FieldValue, type LineItem, type OpportunityStatus, type Product, type User } from './snapshot.ts';

/**
 * Hand-written checks of the snapshot records that accept exactly what the zod schemas of
 * snapshot.ts accept and give the same values (defaults filled in, unknown keys dropped), at a
 * fraction of the cost: zod builds a copy of every record through generic machinery, which was
 * a fifth of reading a large snapshot. They may only err on the cautious side: `null` means
 * "not sure", and the caller then asks zod, which also words the reason of a rejection. A
 * property test holds them to zod's verdicts.
 */

type Obj = Record<string, unknown>;

function object(raw: unknown): Obj | null {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) && Object.getPrototypeOf(raw) === Object.prototype
    ? (raw as Obj)
    : null;
}

const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isFinite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** A number within ±MAX_AMOUNT, as the schemas' amounts require. */
const isAmount = (v: unknown): v is number => typeof v === 'number' && v >= -MAX_AMOUNT && v <= MAX_AMOUNT;
const isQuantity = (v: unknown): v is number => typeof v === 'number' && v >= -MAX_QUANTITY && v <= MAX_QUANTITY;

/** `undefined` (absent) and `null` give null; a string itself; anything else: not a match (undefined). */
function optText(v: unknown): string | null | undefined {
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? v : undefined;
}

function optNumber(v: unknown): number | null | undefined {
  if (v === undefined || v === null) return null;
  return isFinite(v) ? v : undefined;
}

function optAmount(v: unknown): number | null | undefined {
  if (v === undefined || v === null) return null;
  return isAmount(v) ? v : undefined;
}

/** A record of field values, or null when zod should decide (not a plain object, a bad value, a `__proto__` key). */
function fieldRecord(v: unknown): Record<string, FieldValue> | null {
  if (v === undefined) return {};
  const o = object(v);
  if (o === null) return null;
  for (const key in o) {
    if (key === '__proto__') return null;
    const x = o[key];
    if (x !== null && typeof x !== 'string' && typeof x !== 'boolean' && !isFinite(x)) return null;
  }
  // Reused as is: the same keys and values that zod's copy would hold.
  return o as Record<string, FieldValue>;
}

export function checkAccount(raw: unknown): Account | null {
  const o = object(raw);
  if (o === null) return null;
  const { id, name } = o;
  if (!isId(id) || typeof name !== 'string') return null;
  const parentId = optText(o['parentId']);
  const industry = optText(o['industry']);
  const employees = optNumber(o['employees']);
  const annualRevenue = optAmount(o['annualRevenue']);
  const country = optText(o['country']);
  const ownerId = optText(o['ownerId']);
  const markedKey = o['markedKey'];
  if (parentId === undefined || industry === undefined || employees === undefined || annualRevenue === undefined
    || country === undefined || ownerId === undefined) return null;
  if (employees !== null && employees < 0) return null;
  if (markedKey !== undefined && markedKey !== null && typeof markedKey !== 'boolean') return null;
  const fields = fieldRecord(o['fields']);
  const extra = fieldRecord(o['extra']);
  if (fields === null || extra === null) return null;
  const account: Account = {
    id, name, parentId, industry, employees, annualRevenue, country, ownerId,
    markedKey: markedKey === undefined ? null : markedKey, fields, extra,
  };
  // Optional in the schema: present in the value only when present in the record.
  if ('domain' in o) {
    const domain = o['domain'];
    if (domain === undefined) account.domain = undefined;
    else if (domain === null || typeof domain === 'string') account.domain = domain;
    else return null;
  }
  return account;
}

export function checkContact(raw: unknown): Contact | null {
  const o = object(raw);
  if (o === null) return null;
  const id = o['id'];
  if (!isId(id)) return null;
  const accountId = optText(o['accountId']);
  const name = o['name'] === undefined ? '' : o['name'];
  const email = optText(o['email']);
  const title = optText(o['title']);
  const active = o['active'] === undefined ? true : o['active'];
  const referenceable = o['referenceable'] === undefined ? false : o['referenceable'];
  if (accountId === undefined || typeof name !== 'string' || email === undefined || title === undefined
    || typeof active !== 'boolean' || typeof referenceable !== 'boolean') return null;
  return { id, accountId, name, email, title, active, referenceable };
}

export function checkProduct(raw: unknown): Product | null {
  const o = object(raw);
  if (o === null) return null;
  const { id, name } = o;
  const family = optText(o['family']);
  const active = o['active'] === undefined ? true : o['active'];
  if (!isId(id) || typeof name !== 'string' || family === undefined || typeof active !== 'boolean') return null;
  return { id, name, family, active };
}

export function checkUser(raw: unknown): User | null {
  const o = object(raw);
  if (o === null) return null;
  const id = o['id'];
  const name = o['name'] === undefined ? '' : o['name'];
  const active = o['active'] === undefined ? true : o['active'];
  if (!isId(id) || typeof name !== 'string' || typeof active !== 'boolean') return null;
  return { id, name, active };
}

/** A conversion note (conversionSchema): absent is fine, malformed is not. */
function checkConversion(v: unknown): Conversion | null | undefined {
  if (v === undefined) return undefined;
  const o = object(v);
  if (o === null) return null;
  const { currency, amount, rate, source } = o;
  if (typeof currency !== 'string' || currency.length === 0 || !isAmount(amount)) return null;
  if (rate !== null && !(isFinite(rate) && rate > 0)) return null;
  if (source !== null && !(typeof source === 'string' && source.length > 0)) return null;
  return { currency, amount, rate, source };
}

export function checkLineItem(raw: unknown): LineItem | null {
  const o = object(raw);
  if (o === null) return null;
  const { id, productId, totalPrice } = o;
  const quantity = o['quantity'] === undefined ? 1 : o['quantity'];
  const cost = optAmount(o['cost']);
  const conversion = checkConversion(o['conversion']);
  if (!isId(id) || !isId(productId) || !isQuantity(quantity) || !isAmount(totalPrice) || cost === undefined || conversion === null) return null;
  return conversion === undefined ? { id, productId, quantity, totalPrice, cost } : { id, productId, quantity, totalPrice, cost, conversion };
}

/** An opportunity's own fields; its line items are checked one by one afterwards. */
export interface CheckedOpportunity {
  id: string;
  accountId: string;
  name: string;
  status: OpportunityStatus;
  amount: number | null;
  closeDate: string;
  ownerId: string | null;
  lineItems: unknown[];
  conversion?: Conversion;
}

export function checkOpportunity(raw: unknown): CheckedOpportunity | null {
  const o = object(raw);
  if (o === null) return null;
  const { id, accountId, status, closeDate } = o;
  const name = o['name'] === undefined ? '' : o['name'];
  const amount = optAmount(o['amount']);
  const ownerId = optText(o['ownerId']);
  const lineItems = o['lineItems'] === undefined ? [] : o['lineItems'];
  const conversion = checkConversion(o['conversion']);
  if (!isId(id) || !isId(accountId) || typeof name !== 'string' || amount === undefined || ownerId === undefined || conversion === null) return null;
  if (status !== 'open' && status !== 'won' && status !== 'lost') return null;
  if (typeof closeDate !== 'string' || !isIsoDate(closeDate) || !Array.isArray(lineItems)) return null;
  const checked: CheckedOpportunity = { id, accountId, name, status, amount, closeDate, ownerId, lineItems };
  if (conversion !== undefined) checked.conversion = conversion;
  return checked;
}

export function checkContactRole(raw: unknown): ContactRole | null {
  const o = object(raw);
  if (o === null) return null;
  const { id, opportunityId, contactId } = o;
  const role = optText(o['role']);
  const primary = o['primary'] === undefined ? false : o['primary'];
  if (!isId(id) || !isId(opportunityId) || !isId(contactId) || role === undefined || typeof primary !== 'boolean') return null;
  return { id, opportunityId, contactId, role, primary };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The same test as snapshot.ts's `isoDate`, without building a Date: the pattern, then a real calendar day. */
export function isIsoDate(s: string): boolean {
  if (!ISO_DATE.test(s)) return false;
  const d = (i: number) => s.charCodeAt(i) - 48;
  const year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
  const month = d(5) * 10 + d(6);
  const day = d(8) * 10 + d(9);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}
