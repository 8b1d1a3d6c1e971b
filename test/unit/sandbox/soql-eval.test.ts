import { beforeEach, describe, expect, it } from 'vitest';
import { SandboxClock } from '../../../src/sandbox/clock.ts';
import { IdFactory } from '../../../src/sandbox/ids.ts';
import { SalesforceStore } from '../../../src/sandbox/salesforce/store.ts';
import { executeSoql, type WireRecord } from '../../../src/sandbox/soql/eval.ts';
import { SoqlError } from '../../../src/sandbox/soql/errors.ts';
import { parseSoql } from '../../../src/sandbox/soql/parser.ts';

const T0 = Date.UTC(2026, 0, 1);

let store: SalesforceStore;
let clock: SandboxClock;
let ids: Record<string, string>;

function run(soql: string, includeDeleted = false): WireRecord[] {
  return executeSoql(parseSoql(soql), {
    store,
    includeDeleted,
    version: '62.0',
    pageChildren: (_o, records) => ({ totalSize: records.length, done: true, records }),
  });
}

function names(rows: WireRecord[]): unknown[] {
  return rows.map((r) => r['Name']);
}

function soqlError(soql: string): SoqlError {
  try {
    run(soql);
  } catch (e) {
    if (e instanceof SoqlError) return e;
    throw e;
  }
  throw new Error('expected a SoqlError');
}

beforeEach(() => {
  clock = new SandboxClock(T0);
  store = new SalesforceStore(clock, new IdFactory(), { multiCurrency: true, corporateCurrency: 'USD', dailyLimit: 1000, rates: { EUR: 0.9 } });
  const root = store.insert('Account', { Name: 'Acme', Industry: 'Retail', NumberOfEmployees: 500 });
  const child = store.insert('Account', { Name: 'acme west', ParentId: root, Industry: null, NumberOfEmployees: 20 });
  const other = store.insert('Account', { Name: 'Globex 100%', Industry: 'Energy', NumberOfEmployees: null });
  const opp1 = store.insert('Opportunity', { AccountId: root, Name: 'Big', StageName: 'Closed Won', Amount: 900, CloseDate: '2026-02-01', CurrencyIsoCode: 'EUR' });
  const opp2 = store.insert('Opportunity', { AccountId: root, Name: 'Small', StageName: 'Prospecting', Amount: 100, CloseDate: '2026-03-01', CurrencyIsoCode: 'USD' });
  store.insert('OpportunityLineItem', { OpportunityId: opp1, Quantity: 2, UnitPrice: 10, TotalPrice: 20 });
  store.insert('OpportunityLineItem', { OpportunityId: opp1, Quantity: 1, UnitPrice: 5, TotalPrice: 5 });
  ids = { root, child, other, opp1, opp2 };
});

describe('SOQL evaluation', () => {
  it('compares strings without regard to case, and ids exactly', () => {
    expect(names(run("SELECT Name FROM Account WHERE Name = 'ACME'"))).toEqual(['Acme']);
    expect(names(run(`SELECT Name FROM Account WHERE Id = '${ids['child']}'`))).toEqual(['acme west']);
    expect(names(run(`SELECT Name FROM Account WHERE Id = '${(ids['child'] as string).slice(0, 15)}'`))).toEqual(['acme west']);
  });

  it('orders case-insensitively with nulls first ascending and last descending', () => {
    expect(names(run('SELECT Name FROM Account ORDER BY Name'))).toEqual(['Acme', 'acme west', 'Globex 100%']);
    expect(names(run('SELECT Name FROM Account ORDER BY NumberOfEmployees'))).toEqual(['Globex 100%', 'acme west', 'Acme']);
    expect(names(run('SELECT Name FROM Account ORDER BY NumberOfEmployees DESC'))).toEqual(['Acme', 'acme west', 'Globex 100%']);
    expect(names(run('SELECT Name FROM Account ORDER BY NumberOfEmployees ASC NULLS LAST LIMIT 2'))).toEqual(['acme west', 'Acme']);
  });

  it('evaluates AND, OR, NOT, IN, NOT IN, LIKE with escapes, and null', () => {
    expect(names(run("SELECT Name FROM Account WHERE Industry IN ('retail', 'Energy') ORDER BY Name"))).toEqual(['Acme', 'Globex 100%']);
    expect(names(run("SELECT Name FROM Account WHERE Industry NOT IN ('Retail') ORDER BY Name"))).toEqual(['acme west', 'Globex 100%']);
    expect(names(run('SELECT Name FROM Account WHERE Industry = null'))).toEqual(['acme west']);
    expect(names(run("SELECT Name FROM Account WHERE Name LIKE 'acme%' ORDER BY Name"))).toEqual(['Acme', 'acme west']);
    expect(names(run("SELECT Name FROM Account WHERE Name LIKE '%100\\%'"))).toEqual(['Globex 100%']);
    expect(names(run("SELECT Name FROM Account WHERE NOT (Name LIKE 'a%') OR NumberOfEmployees < 100 ORDER BY Name"))).toEqual(['acme west', 'Globex 100%']);
    expect(names(run('SELECT Name FROM Account WHERE NumberOfEmployees >= 20 AND NumberOfEmployees <= 500 ORDER BY Name'))).toEqual(['Acme', 'acme west']);
  });

  it('pages by SystemModstamp then Id as the incremental query does', () => {
    const child = store.get('Account', ids['child'] as string);
    // Stamps are whole seconds, as in Salesforce: records written in the same second share one.
    expect(child?.['SystemModstamp']).toBe(store.get('Account', ids['root'] as string)?.['SystemModstamp']);
    expect(Number(child?.['SystemModstamp']) % 1000).toBe(0);
    const stamp = new Date(child?.['SystemModstamp'] as number).toISOString();
    const rows = run(`SELECT Name FROM Account WHERE SystemModstamp > ${stamp} OR (SystemModstamp = ${stamp} AND Id > '${ids['root']}') ORDER BY SystemModstamp, Id`);
    expect(names(rows)).toEqual(['acme west', 'Globex 100%']);
    const after = run(`SELECT Name FROM Account WHERE SystemModstamp > ${stamp} OR (SystemModstamp = ${stamp} AND Id > '${ids['child']}') ORDER BY SystemModstamp, Id`);
    expect(names(after)).toEqual(['Globex 100%']);
    store.update('Account', ids['root'] as string, { Name: 'Acme Corp' });
    expect(names(run(`SELECT Name FROM Account WHERE SystemModstamp > ${stamp} ORDER BY SystemModstamp`))).toEqual([]);
    clock.advance(1000);
    store.update('Account', ids['child'] as string, { Name: 'acme west 2' });
    expect(names(run(`SELECT Name FROM Account WHERE SystemModstamp > ${stamp} ORDER BY SystemModstamp`))).toEqual(['acme west 2']);
  });

  it('nests parent fields under the relationship name and gives null for an empty lookup', () => {
    const rows = run('SELECT Name, Parent.Name, Parent.Industry FROM Account ORDER BY Name');
    expect(rows[0]?.['Parent']).toBeNull();
    expect(rows[1]?.['Parent']).toEqual({
      attributes: { type: 'Account', url: `/services/data/v62.0/sobjects/Account/${ids['root']}` },
      Name: 'Acme',
      Industry: 'Retail',
    });
  });

  it('returns child subqueries with their filters, and null when there are none', () => {
    const rows = run("SELECT Name, (SELECT TotalPrice FROM OpportunityLineItems WHERE Quantity > 1) FROM Opportunity ORDER BY Name");
    expect(rows.map((r) => r['OpportunityLineItems'])).toEqual([
      { totalSize: 1, done: true, records: [{ attributes: expect.objectContaining({ type: 'OpportunityLineItem' }), TotalPrice: 20 }] },
      null,
    ]);
  });

  it('converts currency into the corporate currency with convertCurrency', () => {
    const rows = run('SELECT Name, convertCurrency(Amount), CurrencyIsoCode FROM Opportunity ORDER BY Name');
    expect(rows.map((r) => [r['Name'], r['Amount'], r['CurrencyIsoCode']])).toEqual([['Big', 1000, 'EUR'], ['Small', 100, 'USD']]);
  });

  it('returns an aliased convertCurrency next to the raw amount, and rejects a duplicate field', () => {
    const rows = run("SELECT Amount, convertCurrency(Amount) corporateAmount FROM Opportunity WHERE Name = 'Big'");
    expect(rows[0]).toMatchObject({ Amount: 900, corporateAmount: 1000 });
    expect(soqlError('SELECT Amount, convertCurrency(Amount) FROM Opportunity').message).toBe('duplicate field selected: Amount');
    expect(soqlError('SELECT Name, name FROM Account').errorCode).toBe('MALFORMED_QUERY');
  });

  it('derives IsWon and IsClosed from the stage and formats datetimes like Salesforce', () => {
    const rows = run("SELECT Name, IsWon, IsClosed, CloseDate, CreatedDate FROM Opportunity WHERE IsClosed = true");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ Name: 'Big', IsWon: true, IsClosed: true, CloseDate: '2026-02-01' });
    expect(rows[0]?.['CreatedDate']).toMatch(/^2026-01-01T00:00:00\.\d{3}\+0000$/);
  });

  it('leaves deleted records out of query and keeps them for queryAll', () => {
    store.delete('Account', ids['other'] as string);
    expect(names(run('SELECT Name FROM Account ORDER BY Name'))).toEqual(['Acme', 'acme west']);
    const all = run('SELECT Name, IsDeleted FROM Account WHERE IsDeleted = true', true);
    expect(all.map((r) => [r['Name'], r['IsDeleted']])).toEqual([['Globex 100%', true]]);
  });

  it('cascades an account delete to its opportunities and their line items', () => {
    store.delete('Account', ids['root'] as string);
    expect(run('SELECT Id FROM Opportunity')).toEqual([]);
    expect(run('SELECT Id FROM OpportunityLineItem')).toEqual([]);
    expect(run('SELECT Id FROM OpportunityLineItem', true)).toHaveLength(2);
  });

  it.each([
    ['SELECT Nope FROM Account', 'INVALID_FIELD', "No such column 'Nope' on entity 'Account'."],
    ['SELECT Id FROM Nothing', 'INVALID_TYPE', "sObject type 'Nothing' is not supported."],
    ['SELECT Owner.Nope FROM Account', 'INVALID_FIELD', "No such column 'Nope' on entity 'User'."],
    ['SELECT Boss.Name FROM Account', 'INVALID_FIELD', "Didn't understand relationship 'Boss' in field path."],
    ['SELECT Id, (SELECT Id FROM Nope) FROM Account', 'INVALID_TYPE', "Didn't understand relationship 'Nope' in FROM part of query call."],
    ["SELECT Id FROM Account WHERE SystemModstamp > '2026-01-01'", 'INVALID_FIELD', "value of filter criterion for field 'SystemModstamp' must be of type dateTime and should not be enclosed in quotes"],
    ['SELECT Id FROM Account WHERE Name = 5', 'INVALID_FIELD', "value of filter criterion for field 'Name' must be of type string and should be enclosed in quotes"],
    ["SELECT Id FROM Account WHERE NumberOfEmployees LIKE '5%'", 'INVALID_QUERY_FILTER_OPERATOR', "invalid operator on field 'NumberOfEmployees': LIKE"],
    ['SELECT convertCurrency(Name) FROM Account', 'INVALID_FIELD', 'convertCurrency() can only be applied to currency fields: Name'],
  ])('rejects %s with %s', (soql, code, message) => {
    const e = soqlError(soql);
    expect(e.errorCode).toBe(code);
    expect(e.message.startsWith(message)).toBe(true);
  });

  it.each([
    ["Id > ''", ''],
    ["Id = '001Kf0000000'", '001Kf0000000'],
    ["ParentId = '001Kf0000000001AAAA'", '001Kf0000000001AAAA'],
    ["ParentId IN ('001Kf0000-00001')", '001Kf0000-00001'],
    ["OwnerId != '005Kf000000001Z!!'", '005Kf000000001Z!!'],
    ["Id = '001Kf0000000001A9Z'", '001Kf0000000001A9Z'],
  ])('refuses the malformed ID literal in %s as Salesforce does', (where, literal) => {
    const e = soqlError(`SELECT Id FROM Account WHERE ${where}`);
    expect(e.errorCode).toBe('INVALID_QUERY_FILTER_OPERATOR');
    expect(e.message.endsWith(`\ninvalid ID field: ${literal}`)).toBe(true);
    expect(e.message).toMatch(/\nERROR at Row:1:Column:\d+\n/);
  });

  it('points at the malformed literal with row and column', () => {
    const soql = "SELECT Id FROM Opportunity WHERE AccountId = 'abc'";
    expect(soqlError(soql).message).toBe(`\n${soql.slice(5)}\n${' '.repeat(40)}^\nERROR at Row:1:Column:46\ninvalid ID field: abc`);
  });

  it('takes well-formed 15- and 18-character ids and null on ID fields, and refuses LIKE on them', () => {
    const id = ids['child'] as string;
    expect(names(run(`SELECT Name FROM Account WHERE ParentId = '${ids['root']}' AND Id IN ('${id}', '${id.slice(0, 15)}')`))).toEqual(['acme west']);
    expect(names(run(`SELECT Name FROM Account WHERE Id > '${ids['root']}' AND ParentId != null`))).toEqual(['acme west']);
    const e = soqlError("SELECT Id FROM Account WHERE Id LIKE '001%'");
    expect([e.errorCode, e.message]).toEqual(['INVALID_QUERY_FILTER_OPERATOR', 'invalid operator on id field']);
  });

  it('hides a custom field created without field-level security until a permission set grants it', () => {
    store.addCustomField('Account', { name: 'KAM_Tier__c', type: 'picklist', label: 'KAM Tier', custom: true, needsFls: true, picklistValues: ['Key'] });
    expect(soqlError('SELECT KAM_Tier__c FROM Account').errorCode).toBe('INVALID_FIELD');
    const ps = store.insert('PermissionSet', { Name: 'Kamflow' });
    store.insert('FieldPermissions', { ParentId: ps, SobjectType: 'Account', Field: 'Account.KAM_Tier__c', PermissionsRead: true, PermissionsEdit: true });
    expect(soqlError('SELECT KAM_Tier__c FROM Account').errorCode).toBe('INVALID_FIELD');
    store.insert('PermissionSetAssignment', { PermissionSetId: ps, AssigneeId: store.integrationUserId });
    expect(run('SELECT KAM_Tier__c FROM Account LIMIT 1')).toEqual([{ attributes: expect.anything(), KAM_Tier__c: null }]);
  });
});
