import { describe, expect, it } from 'vitest';
import { SoqlError } from '../../../src/sandbox/soql/errors.ts';
import { tokenize } from '../../../src/sandbox/soql/lexer.ts';
import { parseSoql } from '../../../src/sandbox/soql/parser.ts';

function errorOf(fn: () => unknown): SoqlError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SoqlError) return e;
    throw e;
  }
  throw new Error('expected a SoqlError');
}

describe('SOQL lexer', () => {
  it('keeps dotted identifiers, literals and operators apart', () => {
    const kinds = tokenize("SELECT Account.Name FROM Contact WHERE Amount >= -1.5 AND Name != 'O\\'Brien' AND CloseDate = 2026-01-31 AND SystemModstamp > 2026-01-31T10:00:00.000Z")
      .map((t) => `${t.kind}:${t.text}`);
    expect(kinds).toEqual([
      'ident:SELECT', 'ident:Account.Name', 'ident:FROM', 'ident:Contact', 'ident:WHERE', 'ident:Amount', 'op:>=', 'number:-1.5',
      'ident:AND', 'ident:Name', 'op:!=', "string:O'Brien", 'ident:AND', 'ident:CloseDate', 'op:=', 'date:2026-01-31',
      'ident:AND', 'ident:SystemModstamp', 'op:>', 'datetime:2026-01-31T10:00:00.000Z', 'eof:',
    ]);
  });

  it('reads <> as != and accepts +hhmm offsets', () => {
    const t = tokenize('a <> 2026-01-01T00:00:00+0100');
    expect(t.map((x) => x.text)).toEqual(['a', '!=', '2026-01-01T00:00:00+0100', '']);
  });

  it('rejects an unterminated string with MALFORMED_QUERY', () => {
    const e = errorOf(() => tokenize("SELECT Id FROM Account WHERE Name = 'abc"));
    expect(e.errorCode).toBe('MALFORMED_QUERY');
    expect(e.message).toContain('unterminated string');
  });

  it('rejects unknown characters with their position', () => {
    expect(errorOf(() => tokenize('SELECT Id; FROM Account')).message).toBe("unexpected character ';' at position 9");
  });
});

describe('SOQL parser', () => {
  it('parses the incremental query shape the connectors send', () => {
    const q = parseSoql(
      "SELECT Id, Name FROM Account WHERE SystemModstamp > 2026-01-01T00:00:00.000Z OR (SystemModstamp = 2026-01-01T00:00:00.000Z AND Id > '001A') ORDER BY SystemModstamp, Id LIMIT 200",
    );
    expect(q.from).toBe('Account');
    expect(q.limit).toBe(200);
    expect(q.orderBy).toEqual([
      { path: ['SystemModstamp'], descending: false, nullsLast: false },
      { path: ['Id'], descending: false, nullsLast: false },
    ]);
    expect(q.where?.kind).toBe('or');
    if (q.where?.kind !== 'or') throw new Error('expected or');
    expect(q.where.left).toEqual({ kind: 'compare', path: ['SystemModstamp'], op: '>', value: { kind: 'datetime', value: Date.UTC(2026, 0, 1), text: '2026-01-01T00:00:00.000Z' } });
    expect(q.where.right.kind).toBe('and');
  });

  it('parses subqueries, convertCurrency, NOT IN, LIKE, NOT and DESC NULLS FIRST', () => {
    const soql = "select Id, convertCurrency(Amount), (SELECT Id, Quantity FROM OpportunityLineItems WHERE Quantity > 1) from Opportunity where not (StageName not in ('A', 'B')) and Name like 'Ac%' order by CloseDate desc nulls first offset 5";
    const q = parseSoql(soql);
    // String literals keep where they start, for errors that point at them.
    expect(q.source).toBe(soql);
    expect(q.select).toEqual([
      { kind: 'field', path: ['Id'] },
      { kind: 'convertCurrency', path: ['Amount'] },
      {
        kind: 'subquery',
        query: {
          select: [{ kind: 'field', path: ['Id'] }, { kind: 'field', path: ['Quantity'] }],
          from: 'OpportunityLineItems',
          where: { kind: 'compare', path: ['Quantity'], op: '>', value: { kind: 'number', value: 1 } },
          orderBy: [],
          limit: null,
          offset: null,
        },
      },
    ]);
    expect(q.where).toEqual({
      kind: 'and',
      left: { kind: 'not', inner: { kind: 'in', path: ['StageName'], negated: true, values: [{ kind: 'string', value: 'A', pos: soql.indexOf("'A'") }, { kind: 'string', value: 'B', pos: soql.indexOf("'B'") }] } },
      right: { kind: 'like', path: ['Name'], pattern: 'Ac%' },
    });
    expect(q.orderBy).toEqual([{ path: ['CloseDate'], descending: true, nullsLast: false }]);
    expect(q.offset).toBe(5);
  });

  it('parses true, false and null literals', () => {
    const q = parseSoql('SELECT Id FROM Account WHERE IsDeleted = TRUE AND ParentId = null AND Key_Account__c != false');
    const lits: unknown[] = [];
    const walk = (c: unknown): void => {
      if (c && typeof c === 'object' && 'kind' in c) {
        const node = c as { kind: string; left?: unknown; right?: unknown; value?: unknown };
        if (node.kind === 'compare') lits.push(node.value);
        walk(node.left);
        walk(node.right);
      }
    };
    walk(q.where);
    expect(lits).toEqual([{ kind: 'boolean', value: true }, { kind: 'null' }, { kind: 'boolean', value: false }]);
  });

  it.each([
    ['SELECT FROM Account', 'unexpected token: FROM at position 7'],
    ['SELECT Id FROM Account WHERE', 'unexpected token: <EOF> at position 28'],
    ['SELECT Id FROM Account WHERE a = 1 AND b = 2 OR c = 3', 'unexpected token: OR at position 45'],
    ['SELECT Id FROM Account LIMIT -1', "unexpected character '-' at position 29"],
    ['SELECT Id, (SELECT Id, (SELECT Id FROM X) FROM Contacts) FROM Account', 'nested subqueries are not supported inside a subquery'],
    ['SELECT Id FROM Account extra', 'unexpected token: extra at position 23'],
    ["SELECT Id FROM Account WHERE Name LIKE 5", 'unexpected token: 5 at position 39'],
  ])('rejects %s', (soql, message) => {
    const e = errorOf(() => parseSoql(soql));
    expect(e.errorCode).toBe('MALFORMED_QUERY');
    expect(e.message).toBe(message);
  });
});
