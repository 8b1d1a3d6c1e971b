import type { Mapped, ObjectKind, PulledLineItem, PulledOpportunity, RecordIssue, RecordsByKind } from '../src/contract/connector.ts';
import type { Account, Contact, ContactRole, FieldValue, Product, User } from '../src/model/snapshot.ts';
import { OUTPUT_FIELDS, TIERS, type OutputFieldKey, type OutputFieldSpec } from '../src/model/output-fields.ts';
import {
  COLUMN_FIELDS, DEFAULT_ALIASES, kamflowColumnAliases, normalizeHeader, type ColumnField,
} from '../connectors/spreadsheet/columns.ts';
import {
  normalizeWord, parseBool, parseDate, parseDateTime, parseNumber, text, type Cell, type Parsed, type ValueFormats,
} from '../connectors/spreadsheet/values.ts';

export { COLUMN_FIELDS, DEFAULT_ALIASES, DEFAULT_SHEETS, kamflowColumnAliases, normalizeHeader, type ColumnField } from '../connectors/spreadsheet/columns.ts';

/**
 * Spreadsheet rows <-> common model: which column feeds which field, and how one row becomes a
 * record. Pure: the connector hands each row's cells over with where it stands. A value that
 * cannot be read is left empty with an issue naming the file, sheet, row and column; a row
 * that cannot become a record is dropped with one issue saying why; the rest goes on.
 */

export interface MappingSettings extends ValueFormats {
  /** Stage words, compared loosely (normalizeWord); `open: null` reads every other stage as open. */
  status: { won: readonly string[]; lost: readonly string[]; open: readonly string[] | null };
  /** A line item's cost column holds the line's cost, or one unit's (times the quantity). */
  costPer: 'line' | 'unit';
}

/** Header overrides per field: a name, names tried in order, or null for "do not read". */
export type ColumnOverrides = Partial<Record<string, string | readonly string[] | null>>;

/** Where a sheet is: the file's name and, in a workbook, the sheet's. */
export interface SheetPlace {
  file: string;
  sheet: string | null;
}

/** A sheet's header row resolved: the column of each field it has (0-based). */
export interface SheetColumns<K extends ObjectKind> {
  kind: K;
  place: SheetPlace;
  headers: readonly string[];
  field: Partial<Record<ColumnField<K>, number>>;
  /** Kamflow's own columns (accounts only): the values held now. */
  kam: Partial<Record<OutputFieldKey, number>>;
  /** Further account columns copied to `account.extra`, by the header as configured. */
  extra: readonly { name: string; index: number }[];
}

/** Finds each field's column among the headers; a configured name wins over the defaults. */
export function resolveColumns<K extends ObjectKind>(
  kind: K, place: SheetPlace, headers: readonly string[], overrides: ColumnOverrides = {}, extraColumns: readonly string[] = [],
): SheetColumns<K> {
  const index = new Map<string, number>();
  headers.forEach((h, i) => {
    const n = normalizeHeader(h);
    if (n !== '' && !index.has(n)) index.set(n, i);
  });
  const find = (names: readonly string[]): number | undefined => {
    for (const name of names) {
      const i = index.get(normalizeHeader(name));
      if (i !== undefined) return i;
    }
    return undefined;
  };
  const field: Partial<Record<ColumnField<K>, number>> = {};
  const aliases = DEFAULT_ALIASES[kind] as Record<ColumnField<K>, readonly string[]>;
  for (const f of COLUMN_FIELDS[kind] as readonly ColumnField<K>[]) {
    const o = overrides[f];
    if (o === null) continue;
    const names = o === undefined ? aliases[f] : typeof o === 'string' ? [o] : o;
    const i = find(names);
    if (i !== undefined) field[f] = i;
  }
  const kam: Partial<Record<OutputFieldKey, number>> = {};
  const extra: { name: string; index: number }[] = [];
  if (kind === 'accounts') {
    for (const spec of OUTPUT_FIELDS) {
      const i = find(kamflowColumnAliases(spec.key));
      if (i !== undefined) kam[spec.key] = i;
    }
    for (const name of extraColumns) {
      const i = find([name]);
      if (i !== undefined) extra.push({ name, index: i });
    }
  }
  return { kind, place, headers, field, kam, extra };
}

/** What a sheet must have to be read at all, as words for the error; empty when it has it. */
export function missingColumns<K extends ObjectKind>(c: SheetColumns<K>): string[] {
  const has = (f: string): boolean => (c.field as Record<string, number | undefined>)[f] !== undefined;
  const need: Record<ObjectKind, [string, boolean][]> = {
    accounts: [['the account name', has('name')]],
    contacts: [['the account', has('accountId')], ['an id, email or name', has('id') || has('email') || has('name') || has('lastName')]],
    products: [['the product name', has('name')]],
    opportunities: [
      ['the account', has('accountId')],
      ['the close date', has('closeDate') || has('createdDate')],
      ['the stage (or Won and Closed)', has('stage') || (has('won') && has('closed'))],
    ],
    lineItems: [['the opportunity', has('opportunityId')], ['the product', has('productId')], ['the total or unit price', has('totalPrice') || has('unitPrice')]],
    users: [['an id or name', has('id') || has('name')]],
    contactRoles: [['the opportunity', has('opportunityId')], ['the contact', has('contactId')]],
  };
  return need[c.kind].filter(([, present]) => !present).map(([what]) => what);
}

/** Spreadsheet column letters: 0 -> A, 26 -> AA. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** "customers.xlsx, sheet "Accounts", row 7" or "accounts.csv, row 7". */
export function rowPlace(place: SheetPlace, row: number): string {
  return place.sheet === null ? `${place.file}, row ${row}` : `${place.file}, sheet "${place.sheet}", row ${row}`;
}

/** Other records a row may name by id or by name, as the connector indexed them. */
export interface References {
  /** The account id a parent or account column names (an id, or a unique name); the text itself when unknown. */
  account(value: string): string;
  product(value: string): string;
  opportunity(value: string): string;
  /** The n-th line item (1, 2, ...) of an opportunity in row order, for line items without an id column. */
  lineOrdinal(opportunityId: string): number;
}

export interface RowInput<K extends ObjectKind> {
  columns: SheetColumns<K>;
  /** The row number as a spreadsheet shows it (the header is row 1). */
  row: number;
  cells: readonly Cell[];
  settings: MappingSettings;
  refs: References;
}

/** Reads one row's cells field by field, collecting issues that name the cell. */
class RowReader<K extends ObjectKind> {
  readonly issues: RecordIssue[] = [];
  id: string | null = null;
  constructor(private readonly input: RowInput<K>) {}

  /** The cells of the row that could not be read, as `column "Close Date" (F): why`. */
  private readonly unreadable: string[] = [];

  private column(index: number): string {
    const header = this.input.columns.headers[index] ?? '';
    return `column "${header}"${this.input.columns.place.sheet === null ? '' : ` (${columnLetter(index)})`}`;
  }

  cellAt(index: number | undefined): Cell {
    return index === undefined ? null : (this.input.cells[index] ?? null);
  }

  cell(f: ColumnField<K>): Cell {
    return this.cellAt((this.input.columns.field as Record<string, number | undefined>)[f]);
  }

  has(f: ColumnField<K>): boolean {
    return (this.input.columns.field as Record<string, number | undefined>)[f] !== undefined;
  }

  text(f: ColumnField<K>): string | null {
    return text(this.cell(f));
  }

  /** A parsed value, or null with an issue naming the cell. */
  value<T>(index: number | undefined, parsed: Parsed<T | null>): T | null {
    if (parsed.ok) return parsed.value;
    const cell = `${this.column(index ?? -1)}: ${parsed.message}`;
    this.unreadable.push(cell);
    this.issues.push({ object: this.input.columns.kind, recordId: this.id, kind: 'bad-value', message: `${rowPlace(this.input.columns.place, this.input.row)}, ${cell}` });
    return null;
  }

  number(f: ColumnField<K>): number | null {
    return this.value(this.index(f), parseNumber(this.cell(f), this.input.settings));
  }

  bool(f: ColumnField<K>): boolean | null {
    return this.value(this.index(f), parseBool(this.cell(f)));
  }

  date(f: ColumnField<K>): string | null {
    return this.value(this.index(f), parseDate(this.cell(f), this.input.settings));
  }

  index(f: ColumnField<K>): number | undefined {
    return (this.input.columns.field as Record<string, number | undefined>)[f];
  }

  /**
   * The row cannot become a record: one issue, no record. The cells that could not be read go
   * into its message, since one of them is often why ("no close date" for a date that is none).
   */
  reject<T>(message: string): Mapped<T> {
    const cells = this.unreadable.length > 0 ? ` (${this.unreadable.join('; ')})` : '';
    return {
      record: null,
      issues: [{ object: this.input.columns.kind, recordId: this.id, kind: 'rejected', message: `${rowPlace(this.input.columns.place, this.input.row)}: ${message}${cells}` }],
    };
  }

  done<T>(record: T): Mapped<T> {
    for (const i of this.issues) i.recordId = this.id;
    return { record, issues: this.issues };
  }
}

/** A row with no value in any cell is skipped without a word: spreadsheets end in blank rows. */
export function isBlankRow(cells: readonly Cell[]): boolean {
  return cells.every((c) => text(c) === null);
}

function kamValue(spec: OutputFieldSpec, c: Cell, formats: ValueFormats): Parsed<FieldValue> {
  switch (spec.type) {
    case 'checkbox': return parseBool(c);
    case 'number': case 'percent': case 'currency': return parseNumber(c, formats);
    case 'datetime': return parseDateTime(c);
    case 'picklist': {
      const t = text(c);
      if (t === null || (TIERS as readonly string[]).includes(t)) return { ok: true, value: t };
      return { ok: false, message: `not a tier (${TIERS.join(', ')}): "${t}"` };
    }
    default:
      // Kamflow's texts are compared exactly with what it writes: kept as written, not trimmed.
      if (c === null || c === '') return { ok: true, value: null };
      return { ok: true, value: typeof c === 'string' ? c : text(c) };
  }
}

/** A value of one of Kamflow's own columns, as the annotated workbook (or an input that carries them) holds it. */
export function readKamflowValue(key: OutputFieldKey, c: Cell, formats: ValueFormats): Parsed<FieldValue> {
  const spec = OUTPUT_FIELDS.find((f) => f.key === key);
  return spec ? kamValue(spec, c, formats) : { ok: false, message: `not a Kamflow field: ${key}` };
}

export function mapAccountRow(input: RowInput<'accounts'>): Mapped<Account> {
  const r = new RowReader(input);
  const name = r.text('name');
  r.id = r.text('id') ?? name;
  if (r.id === null) return r.reject('no account id or name');
  const parent = r.text('parentId');
  const employees = r.number('employees');
  const fields: Record<string, FieldValue> = {};
  for (const spec of OUTPUT_FIELDS) {
    const i = input.columns.kam[spec.key];
    if (i !== undefined) fields[spec.key] = r.value(i, kamValue(spec, r.cellAt(i), input.settings));
  }
  const extra: Record<string, FieldValue> = {};
  for (const { name: key, index } of input.columns.extra) {
    const c = r.cellAt(index);
    extra[key] = c instanceof Date ? c.toISOString() : typeof c === 'string' ? text(c) : c;
  }
  if (employees !== null && employees < 0) r.value(r.index('employees'), { ok: false, message: `employees cannot be negative: ${employees}` });
  return r.done({
    id: r.id,
    name: name ?? r.id,
    parentId: parent === null ? null : input.refs.account(parent),
    industry: r.text('industry'),
    employees: employees !== null && employees >= 0 ? employees : null,
    annualRevenue: r.number('annualRevenue'),
    country: r.text('country'),
    ownerId: r.text('ownerId'),
    markedKey: r.bool('markedKey'),
    fields,
    extra,
  });
}

export function mapContactRow(input: RowInput<'contacts'>): Mapped<Contact> {
  const r = new RowReader(input);
  const account = r.text('accountId');
  const accountId = account === null ? null : input.refs.account(account);
  const email = r.text('email');
  const parts = [r.text('firstName'), r.text('lastName')].filter((p): p is string => p !== null);
  const name = r.text('name') ?? (parts.length > 0 ? parts.join(' ') : null) ?? email;
  r.id = r.text('id') ?? email ?? (name === null ? null : `${accountId ?? ''}:${name}`);
  if (r.id === null) return r.reject('no contact id, email or name');
  return r.done({
    id: r.id,
    accountId,
    name: name ?? '',
    email,
    title: r.text('title'),
    active: r.bool('active') ?? true,
    referenceable: r.bool('referenceable') ?? false,
  });
}

export function mapProductRow(input: RowInput<'products'>): Mapped<Product> {
  const r = new RowReader(input);
  const name = r.text('name');
  r.id = r.text('id') ?? name;
  if (r.id === null || name === null) return r.reject('no product name');
  return r.done({ id: r.id, name, family: r.text('family'), active: r.bool('active') ?? true });
}

function statusOf(r: RowReader<'opportunities'>, settings: MappingSettings): { status: PulledOpportunity['status'] } | { error: string } {
  if (r.has('won') && r.has('closed')) {
    const won = r.bool('won');
    const closed = r.bool('closed');
    if (won !== null && closed !== null) return { status: won ? 'won' : closed ? 'lost' : 'open' };
  }
  const stage = r.text('stage');
  if (stage === null) return { error: 'no stage' };
  const word = normalizeWord(stage);
  const inList = (list: readonly string[]): boolean => list.some((w) => normalizeWord(w) === word);
  if (inList(settings.status.won)) return { status: 'won' };
  if (inList(settings.status.lost)) return { status: 'lost' };
  if (settings.status.open === null || inList(settings.status.open)) return { status: 'open' };
  return { error: `stage "${stage}" is none of the won, lost or open words (set status.won, status.lost, status.open)` };
}

export function mapOpportunityRow(input: RowInput<'opportunities'>): Mapped<PulledOpportunity> {
  const r = new RowReader(input);
  r.id = r.text('id') ?? `row-${input.row}`;
  const account = r.text('accountId');
  if (account === null) return r.reject('no account');
  const status = statusOf(r, input.settings);
  if ('error' in status) return r.reject(status.error);
  const closeDate = r.date('closeDate') ?? (status.status === 'open' ? r.date('createdDate') : null);
  if (closeDate === null) return r.reject(status.status === 'open' ? 'no close date (nor created date)' : 'no close date');
  return r.done({
    id: r.id, accountId: input.refs.account(account), name: r.text('name') ?? '', status: status.status,
    amount: r.number('amount'), closeDate, ownerId: r.text('ownerId'),
  });
}

const cents = (x: number): number => Math.round(x * 100) / 100;

export function mapLineItemRow(input: RowInput<'lineItems'>): Mapped<PulledLineItem> {
  const r = new RowReader(input);
  const opportunity = r.text('opportunityId');
  const opportunityId = opportunity === null ? null : input.refs.opportunity(opportunity);
  r.id = r.text('id');
  if (opportunityId === null) return r.reject('no opportunity');
  const product = r.text('productId');
  if (product === null) return r.reject('no product');
  const quantity = r.number('quantity') ?? 1;
  const total = r.number('totalPrice');
  const unit = total === null ? r.number('unitPrice') : null;
  if (total === null && unit === null) return r.reject('no total price (nor unit price)');
  const cost = r.number('cost');
  r.id ??= `${opportunityId}#${input.refs.lineOrdinal(opportunityId)}`;
  return r.done({
    id: r.id, opportunityId, productId: input.refs.product(product), quantity,
    totalPrice: total ?? cents((unit ?? 0) * quantity),
    cost: cost === null ? null : input.settings.costPer === 'unit' ? cents(cost * quantity) : cost,
  });
}

export function mapUserRow(input: RowInput<'users'>): Mapped<User> {
  const r = new RowReader(input);
  const name = r.text('name');
  r.id = r.text('id') ?? name;
  if (r.id === null) return r.reject('no user id or name');
  return r.done({ id: r.id, name: name ?? r.id, active: r.bool('active') ?? true });
}

/** A contact's role on an opportunity; without an id column the pair (opportunity, contact) is its id. */
export function mapContactRoleRow(input: RowInput<'contactRoles'>): Mapped<ContactRole> {
  const r = new RowReader(input);
  r.id = r.text('id');
  const opportunity = r.text('opportunityId');
  if (opportunity === null) return r.reject('no opportunity');
  const opportunityId = input.refs.opportunity(opportunity);
  const contactId = r.text('contactId');
  if (contactId === null) return r.reject('no contact');
  r.id ??= `${opportunityId}#${contactId}`;
  return r.done({ id: r.id, opportunityId, contactId, role: r.text('role'), primary: r.bool('primary') ?? false });
}

type RowMapper<K extends ObjectKind> = (input: RowInput<K>) => Mapped<RecordsByKind[K]>;

/** The row mapper of each stream. */
export const ROW_MAPPERS: { [K in ObjectKind]: RowMapper<K> } = {
  users: mapUserRow,
  products: mapProductRow,
  accounts: mapAccountRow,
  contacts: mapContactRow,
  opportunities: mapOpportunityRow,
  lineItems: mapLineItemRow,
  contactRoles: mapContactRoleRow,
};
