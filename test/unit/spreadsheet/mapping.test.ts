import { describe, expect, it } from 'vitest';
import type { ObjectKind } from '../../../src/contract/connector.ts';
import {
  COLUMN_FIELDS, DEFAULT_ALIASES, columnLetter, mapAccountRow, mapContactRow, mapLineItemRow, mapOpportunityRow, missingColumns, normalizeHeader, resolveColumns,
  type MappingSettings, type References,
} from '../../../mappings/spreadsheet.ts';
import { DEFAULT_LOST_WORDS, DEFAULT_WON_WORDS } from '../../../connectors/spreadsheet/options.ts';
import type { Cell } from '../../../connectors/spreadsheet/values.ts';

const SETTINGS: MappingSettings = { dateFormat: 'iso', decimalComma: false, status: { won: DEFAULT_WON_WORDS, lost: DEFAULT_LOST_WORDS, open: null }, costPer: 'line' };
const BOOK = { file: 'customers.xlsx', sheet: 'Deals' };

function refs(accounts: Record<string, string> = {}): References {
  const lines = new Map<string, number>();
  return {
    account: (v) => accounts[v] ?? v,
    product: (v) => v,
    opportunity: (v) => v,
    lineOrdinal: (o) => {
      lines.set(o, (lines.get(o) ?? 0) + 1);
      return lines.get(o) ?? 0;
    },
  };
}

describe('spreadsheet columns', () => {
  it('compares headers loosely: case, spaces, punctuation and a __c suffix aside', () => {
    expect(['Account ID', 'account_id', 'AccountId', 'ACCOUNT-ID', 'AccountId__c'].map(normalizeHeader)).toEqual(Array(5).fill('accountid'));
    expect(normalizeHeader('Schlüsselkunde')).toBe('schlüsselkunde');
  });

  it('no header name serves two fields of one kind', () => {
    for (const kind of Object.keys(COLUMN_FIELDS) as ObjectKind[]) {
      const owners = new Map<string, string>();
      for (const [field, names] of Object.entries(DEFAULT_ALIASES[kind] as Record<string, readonly string[]>)) {
        for (const n of names) {
          const key = normalizeHeader(n);
          expect([field, undefined], `${kind}: "${n}" for ${field} and ${owners.get(key) ?? ''}`).toContain(owners.get(key));
          owners.set(key, field);
        }
      }
    }
  });

  it('finds a Salesforce report export, a HubSpot export and a hand-kept German sheet', () => {
    const sf = resolveColumns('opportunities', BOOK, ['Opportunity ID', 'Account Name', 'Opportunity Name', 'Stage', 'Amount', 'Close Date', 'Opportunity Owner']);
    expect(sf.field).toEqual({ id: 0, accountId: 1, name: 2, stage: 3, amount: 4, closeDate: 5, ownerId: 6 });
    const hs = resolveColumns('accounts', BOOK, ['Record ID', 'Company name', 'Parent Company', 'Number of Employees', 'Company owner', 'Country/Region']);
    expect(hs.field).toEqual({ id: 0, name: 1, parentId: 2, employees: 3, ownerId: 4, country: 5 });
    const de = resolveColumns('accounts', BOOK, ['Kundennummer', 'Firma', 'Muttergesellschaft', 'Branche', 'Mitarbeiter', 'Umsatz', 'Land', 'Betreuer']);
    expect(Object.keys(de.field).sort()).toEqual(['annualRevenue', 'country', 'employees', 'id', 'industry', 'name', 'ownerId', 'parentId']);
  });

  it('lets a configured name win, and null leave a field unread', () => {
    const c = resolveColumns('accounts', BOOK, ['Name', 'Kdnr', 'Parent'], { id: 'KdNr', parentId: null });
    expect(c.field).toEqual({ id: 1, name: 0 });
  });

  it('reads Kamflow\'s own columns under their key, label or Salesforce name', () => {
    const c = resolveColumns('accounts', BOOK, ['Name', 'kam_tier', 'KAM Score', 'KAM_Risks__c']);
    expect(c.kam).toEqual({ kam_tier: 1, kam_score: 2, kam_risks: 3 });
  });

  it('names what a sheet lacks', () => {
    expect(missingColumns(resolveColumns('opportunities', BOOK, ['Deal Name', 'Amount']))).toEqual(['the account', 'the close date', 'the stage (or Won and Closed)']);
    expect(missingColumns(resolveColumns('opportunities', BOOK, ['Account', 'Created Date', 'Won', 'Closed']))).toEqual([]);
    expect(missingColumns(resolveColumns('accounts', BOOK, ['Account ID']))).toEqual(['the account name']);
  });

  it('letters columns as spreadsheets do', () => {
    expect([0, 25, 26, 51, 701, 702].map(columnLetter)).toEqual(['A', 'Z', 'AA', 'AZ', 'ZZ', 'AAA']);
  });
});

describe('spreadsheet rows', () => {
  const deals = resolveColumns('opportunities', BOOK, ['Deal ID', 'Company', 'Deal Name', 'Deal Stage', 'Amount', 'Close Date', 'Create Date']);
  const deal = (cells: Cell[], settings = SETTINGS) => mapOpportunityRow({ columns: deals, row: 7, cells, settings, refs: refs({ 'Acme Group': '101' }) });

  it('maps a deal, resolving the company by name and the stage by its words', () => {
    expect(deal(['D1', 'Acme Group', 'Renewal', 'Closed-Won', '1,200.50', '2026-03-31', null])).toEqual({
      record: { id: 'D1', accountId: '101', name: 'Renewal', status: 'won', amount: 1200.5, closeDate: '2026-03-31', ownerId: null },
      issues: [],
    });
    expect(deal(['D2', '101', 'Pilot', 'closed lost', null, '2025-01-01', null]).record?.status).toBe('lost');
    // An open deal without a close date falls back to its creation day.
    expect(deal(['D3', '101', 'Upsell', 'Negotiation', null, null, '2026-05-01']).record).toMatchObject({ status: 'open', closeDate: '2026-05-01' });
  });

  it('keeps a deal with a bad amount, the amount left empty, with an issue naming file, sheet, row and column', () => {
    const m = deal(['D4', '101', 'Odd', 'Won', '12,5', '2026-01-10', null]);
    expect(m.record?.amount).toBeNull();
    expect(m.issues).toEqual([{
      object: 'opportunities', recordId: 'D4', kind: 'bad-value',
      message: 'customers.xlsx, sheet "Deals", row 7, column "Amount" (E): not a number with a decimal point, e.g. 1,234.56: "12,5"',
    }]);
  });

  it('drops a deal it cannot use with one issue saying why', () => {
    expect(deal(['D5', null, 'No company', 'Won', '1', '2026-01-10', null])).toEqual({
      record: null, issues: [{ object: 'opportunities', recordId: 'D5', kind: 'rejected', message: 'customers.xlsx, sheet "Deals", row 7: no account' }],
    });
    expect(deal(['D6', '101', 'Won, undated', 'Won', '1', null, null]).issues[0]?.message).toBe('customers.xlsx, sheet "Deals", row 7: no close date');
    // The cell that could not be read is named in the one issue: it is why there is no close date.
    expect(deal(['D7', '101', 'Bad date', 'Won', '1', '31.12.2026', null]).issues).toEqual([{
      object: 'opportunities', recordId: 'D7', kind: 'rejected',
      message: 'customers.xlsx, sheet "Deals", row 7: no close date (column "Close Date" (F): not a date in the format YYYY-MM-DD (set dateFormat for other orders): "31.12.2026")',
    }]);
    const strict = { ...SETTINGS, status: { ...SETTINGS.status, open: ['Negotiation'] } };
    expect(deal(['D8', '101', 'Odd stage', 'On hold', '1', '2026-01-10', null], strict).issues[0]?.message)
      .toBe('customers.xlsx, sheet "Deals", row 7: stage "On hold" is none of the won, lost or open words (set status.won, status.lost, status.open)');
  });

  it('reads Won and Closed columns before the stage words', () => {
    const sf = resolveColumns('opportunities', { file: 'report.csv', sheet: null }, ['Opportunity ID', 'Account ID', 'Stage', 'Won', 'Closed', 'Close Date']);
    const map = (won: string, closed: string) => mapOpportunityRow({ columns: sf, row: 2, cells: ['O1', 'A1', 'Custom stage', won, closed, '2026-01-01'], settings: SETTINGS, refs: refs() }).record?.status;
    expect([map('1', '1'), map('0', '1'), map('0', '0')]).toEqual(['won', 'lost', 'open']);
  });

  it('maps an account: the name is the id when there is no id column, the parent by name, a negative head count left out', () => {
    const cols = resolveColumns('accounts', { file: 'accounts.csv', sheet: null }, ['Company', 'Parent Company', 'Employees', 'Key Account']);
    const m = mapAccountRow({ columns: cols, row: 3, cells: ['Acme Services', 'Acme Group', '-5', 'maybe'], settings: SETTINGS, refs: refs({ 'Acme Group': 'Acme Group' }) });
    expect(m.record).toMatchObject({ id: 'Acme Services', name: 'Acme Services', parentId: 'Acme Group', employees: null, markedKey: null });
    expect(m.issues.map((i) => i.message)).toEqual([
      'accounts.csv, row 3, column "Employees": employees cannot be negative: -5',
      'accounts.csv, row 3, column "Key Account": not yes/no (true/false, yes/no, 1/0): "maybe"',
    ]);
  });

  it('maps a contact from first and last name; its id falls back to the email', () => {
    const cols = resolveColumns('contacts', { file: 'contacts.csv', sheet: null }, ['Company', 'First Name', 'Last Name', 'Email', 'Referenceable']);
    expect(mapContactRow({ columns: cols, row: 2, cells: ['101', 'Jane', 'Doe', 'jane@acme.example', 'x'], settings: SETTINGS, refs: refs() }).record).toEqual({
      id: 'jane@acme.example', accountId: '101', name: 'Jane Doe', email: 'jane@acme.example', title: null, active: true, referenceable: true,
    });
  });

  it('maps line items: the total from unit price and quantity, a unit cost times the quantity, ids numbered per deal', () => {
    const cols = resolveColumns('lineItems', { file: 'lines.csv', sheet: null }, ['Opportunity ID', 'Product', 'Quantity', 'Unit Price', 'Cost']);
    const r = refs();
    const settings = { ...SETTINGS, costPer: 'unit' as const };
    const a = mapLineItemRow({ columns: cols, row: 2, cells: ['O1', 'P1', '3', '0.10', '0.05'], settings, refs: r });
    const b = mapLineItemRow({ columns: cols, row: 3, cells: ['O1', 'P2', null, '100', null], settings, refs: r });
    expect(a.record).toEqual({ id: 'O1#1', opportunityId: 'O1', productId: 'P1', quantity: 3, totalPrice: 0.3, cost: 0.15 });
    expect(b.record).toEqual({ id: 'O1#2', opportunityId: 'O1', productId: 'P2', quantity: 1, totalPrice: 100, cost: null });
    expect(mapLineItemRow({ columns: cols, row: 4, cells: ['O1', 'P1', '1', null, null], settings, refs: r }).issues[0]?.message)
      .toBe('lines.csv, row 4: no total price (nor unit price)');
  });
});
