import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Account, Contact, ContactRole, Opportunity, Product, User } from '../../src/model/snapshot.ts';
import { BOLD } from './layout.ts';
import { writeWorkbookFile } from './workbook-file.ts';

/**
 * Writes records of the common model as a spreadsheet input, the way a CRM export or a
 * hand-kept workbook looks: one sheet (or CSV file) per kind, headers as people write them
 * ("Account ID", "Close Date", stages such as "Closed Won"), dates as date cells in a workbook
 * and ISO dates in CSV. Used by the sample workbook script, the demo, the tests and the bench.
 */

export type InputRecord =
  | { list: 'accounts'; record: Account }
  | { list: 'contacts'; record: Contact }
  | { list: 'products'; record: Product }
  | { list: 'opportunities'; record: Opportunity }
  | { list: 'users'; record: User }
  | { list: 'contactRoles'; record: ContactRole };

type Value = string | number | boolean | Date | null;
type SheetKey = InputRecord['list'] | 'lineItems';

const STAGE = { won: 'Closed Won', lost: 'Closed Lost', open: 'Negotiation' } as const;

export const SAMPLE_SHEETS: Record<SheetKey, { name: string; file: string; headers: string[] }> = {
  accounts: { name: 'Accounts', file: 'accounts.csv', headers: ['Account ID', 'Account Name', 'Parent Account ID', 'Industry', 'Employees', 'Annual Revenue', 'Billing Country', 'Account Owner ID', 'Key Account'] },
  contacts: { name: 'Contacts', file: 'contacts.csv', headers: ['Contact ID', 'Account ID', 'Full Name', 'Email', 'Title', 'Active', 'Referenceable'] },
  products: { name: 'Products', file: 'products.csv', headers: ['Product ID', 'Product Name', 'Product Family', 'Active'] },
  opportunities: { name: 'Opportunities', file: 'opportunities.csv', headers: ['Opportunity ID', 'Account ID', 'Opportunity Name', 'Stage', 'Amount', 'Close Date', 'Opportunity Owner ID'] },
  lineItems: { name: 'Line Items', file: 'line-items.csv', headers: ['Line Item ID', 'Opportunity ID', 'Product ID', 'Quantity', 'Total Price', 'Cost'] },
  users: { name: 'Users', file: 'users.csv', headers: ['User ID', 'Full Name', 'Active'] },
  contactRoles: { name: 'Contact Roles', file: 'contact-roles.csv', headers: ['Contact Role ID', 'Opportunity ID', 'Contact ID', 'Role', 'Primary'] },
};

const day = (iso: string, asDate: boolean): Value => (asDate ? new Date(`${iso.slice(0, 10)}T00:00:00Z`) : iso.slice(0, 10));

function rowOf(r: InputRecord, asDate: boolean): Value[] {
  switch (r.list) {
    case 'accounts': {
      const a = r.record;
      return [a.id, a.name, a.parentId, a.industry, a.employees, a.annualRevenue, a.country, a.ownerId, a.markedKey];
    }
    case 'contacts': {
      const c = r.record;
      return [c.id, c.accountId, c.name, c.email, c.title, c.active, c.referenceable];
    }
    case 'products': {
      const p = r.record;
      return [p.id, p.name, p.family, p.active];
    }
    case 'opportunities': {
      const o = r.record;
      return [o.id, o.accountId, o.name, STAGE[o.status], o.amount, day(o.closeDate, asDate), o.ownerId];
    }
    case 'users':
      return [r.record.id, r.record.name, r.record.active];
    case 'contactRoles': {
      const c = r.record;
      return [c.id, c.opportunityId, c.contactId, c.role, c.primary];
    }
  }
}

const lineRows = (o: Opportunity): Value[][] => o.lineItems.map((li) => [li.id, o.id, li.productId, li.quantity, li.totalPrice, li.cost]);

/** A workbook with one sheet per kind; `records` is called twice (line items come after every other sheet). */
export async function writeSampleWorkbook(path: string, records: () => Iterable<InputRecord>): Promise<void> {
  await writeWorkbookFile(path, async (wb) => {
    type Sheet = ReturnType<typeof wb.addWorksheet>;
    const started = new Set<SheetKey>();
    const open = (key: SheetKey): Sheet => {
      started.add(key);
      const sheet = wb.addWorksheet(SAMPLE_SHEETS[key].name, { views: [{ state: 'frozen', ySplit: 1 }] });
      sheet.columns = SAMPLE_SHEETS[key].headers.map((h) => ({ width: Math.max(12, h.length + 4) }));
      const header = sheet.addRow(SAMPLE_SHEETS[key].headers);
      header.font = BOLD;
      header.commit();
      return sheet;
    };
    let ws: Sheet | null = null;
    let current: SheetKey | null = null;
    for (const r of records()) {
      if (r.list !== current || ws === null) {
        if (started.has(r.list)) throw new Error(`the ${r.list} records must come together`);
        current = r.list;
        ws?.commit();
        ws = open(r.list);
      }
      const row = ws.addRow(rowOf(r, true));
      if (r.list === 'opportunities') row.getCell(6).numFmt = 'yyyy-mm-dd';
      row.commit();
    }
    ws?.commit();
    for (const key of ['accounts', 'contacts', 'products', 'opportunities', 'users'] as const) if (!started.has(key)) open(key).commit();
    const lines = open('lineItems');
    for (const r of records()) if (r.list === 'opportunities') for (const cells of lineRows(r.record)) lines.addRow(cells).commit();
    lines.commit();
  });
}

/** RFC 4180 quoting: a field with a comma, quote or line break goes in quotes, its quotes doubled. */
function csvField(v: Value): string {
  if (v === null) return '';
  const s = v instanceof Date ? v.toISOString().slice(0, 10) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A folder with one CSV file per kind. */
export async function writeSampleCsvFolder(dir: string, all: Iterable<InputRecord>): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const files = new Map<SheetKey, WriteStream>();
  const start = (key: SheetKey): WriteStream => {
    const out = createWriteStream(join(dir, SAMPLE_SHEETS[key].file));
    out.write(`${SAMPLE_SHEETS[key].headers.join(',')}\r\n`);
    files.set(key, out);
    return out;
  };
  // Contact roles get a file only when there are any (version 2's roles).
  for (const key of ['accounts', 'contacts', 'products', 'opportunities', 'lineItems', 'users'] as const) start(key);
  const line = async (key: SheetKey, cells: Value[]): Promise<void> => {
    const out = files.get(key) ?? start(key);
    if (!out.write(`${cells.map(csvField).join(',')}\r\n`)) await once(out, 'drain');
  };
  for (const r of all) {
    await line(r.list, rowOf(r, false));
    if (r.list === 'opportunities') for (const cells of lineRows(r.record)) await line('lineItems', cells);
  }
  await Promise.all([...files.values()].map(async (f) => {
    f.end();
    await once(f, 'finish');
  }));
}

/** Every record of a snapshot-like object, list by list. */
export function* recordsOf(s: { accounts: Account[]; contacts: Contact[]; products: Product[]; opportunities: Opportunity[]; users: User[] }): Generator<InputRecord> {
  for (const record of s.users) yield { list: 'users', record };
  for (const record of s.products) yield { list: 'products', record };
  for (const record of s.accounts) yield { list: 'accounts', record };
  for (const record of s.contacts) yield { list: 'contacts', record };
  for (const record of s.opportunities) yield { list: 'opportunities', record };
}
