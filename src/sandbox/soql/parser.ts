import type { ComparisonOp, Condition, Literal, OrderItem, SelectItem, SoqlQuery } from './ast.ts';
import { SoqlError } from './errors.ts';
import { tokenize, type Token } from './lexer.ts';

const RESERVED = new Set(['select', 'from', 'where', 'and', 'or', 'not', 'in', 'like', 'order', 'by', 'limit', 'offset', 'asc', 'desc', 'nulls', 'first', 'last', 'true', 'false', 'null']);

/** Parses the SOQL subset (recursive descent); throws SoqlError MALFORMED_QUERY on bad input. */
export function parseSoql(query: string): SoqlQuery {
  const parser = new Parser(tokenize(query));
  const q = parser.query(false);
  parser.expectEnd();
  q.source = query;
  return q;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const t = this.peek();
    if (this.i < this.tokens.length - 1) this.i += 1;
    return t;
  }

  private isKeyword(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'ident' && t.text.toLowerCase() === word;
  }

  private unexpected(t: Token = this.peek()): SoqlError {
    const shown = t.kind === 'eof' ? '<EOF>' : t.kind === 'string' ? `'${t.text}'` : t.text;
    return new SoqlError('MALFORMED_QUERY', `unexpected token: ${shown} at position ${t.pos}`);
  }

  private keyword(word: string): void {
    if (!this.isKeyword(word)) throw this.unexpected();
    this.next();
  }

  private punct(p: string): void {
    const t = this.peek();
    if (t.kind !== 'punct' || t.text !== p) throw this.unexpected();
    this.next();
  }

  private isPunct(p: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === p;
  }

  expectEnd(): void {
    if (this.peek().kind !== 'eof') throw this.unexpected();
  }

  private fieldPath(): string[] {
    const t = this.next();
    if (t.kind !== 'ident' || RESERVED.has(t.text.toLowerCase())) throw this.unexpected(t);
    return t.text.split('.');
  }

  query(nested: boolean): SoqlQuery {
    this.keyword('select');
    const select: SelectItem[] = [];
    let count = false;
    if (!nested && this.isKeyword('count') && this.peek(1).text === '(' && this.peek(2).text === ')') {
      this.next();
      this.next();
      this.next();
      count = true;
    }
    for (; !count; ) {
      select.push(this.selectItem(nested));
      if (!this.isPunct(',')) break;
      this.next();
    }
    this.keyword('from');
    const fromTok = this.next();
    if (fromTok.kind !== 'ident' || fromTok.text.includes('.') || RESERVED.has(fromTok.text.toLowerCase())) throw this.unexpected(fromTok);
    const q: SoqlQuery = { select, from: fromTok.text, where: null, orderBy: [], limit: null, offset: null };
    if (count) q.count = true;
    if (this.isKeyword('where')) {
      this.next();
      q.where = this.condition();
    }
    if (this.isKeyword('order')) {
      this.next();
      this.keyword('by');
      q.orderBy = this.orderList();
    }
    if (this.isKeyword('limit')) {
      this.next();
      q.limit = this.nonNegativeInt();
    }
    if (this.isKeyword('offset')) {
      this.next();
      q.offset = this.nonNegativeInt();
    }
    return q;
  }

  private nonNegativeInt(): number {
    const t = this.next();
    if (t.kind !== 'number' || !/^\d+$/.test(t.text)) throw this.unexpected(t);
    return Number(t.text);
  }

  private selectItem(nested: boolean): SelectItem {
    if (this.isPunct('(')) {
      if (nested) throw new SoqlError('MALFORMED_QUERY', 'nested subqueries are not supported inside a subquery');
      this.next();
      const query = this.query(true);
      this.punct(')');
      return { kind: 'subquery', query };
    }
    if (this.isKeyword('convertcurrency') && this.peek(1).kind === 'punct' && this.peek(1).text === '(') {
      this.next();
      this.next();
      const path = this.fieldPath();
      this.punct(')');
      const aliasTok = this.peek();
      if (aliasTok.kind === 'ident' && !aliasTok.text.includes('.') && !RESERVED.has(aliasTok.text.toLowerCase())) {
        this.next();
        return { kind: 'convertCurrency', path, alias: aliasTok.text };
      }
      return { kind: 'convertCurrency', path };
    }
    return { kind: 'field', path: this.fieldPath() };
  }

  private orderList(): OrderItem[] {
    const items: OrderItem[] = [];
    for (;;) {
      const path = this.fieldPath();
      let descending = false;
      if (this.isKeyword('asc')) this.next();
      else if (this.isKeyword('desc')) {
        this.next();
        descending = true;
      }
      let nullsLast = descending;
      if (this.isKeyword('nulls')) {
        this.next();
        if (this.isKeyword('first')) nullsLast = false;
        else if (this.isKeyword('last')) nullsLast = true;
        else throw this.unexpected();
        this.next();
      }
      items.push({ path, descending, nullsLast });
      if (!this.isPunct(',')) break;
      this.next();
    }
    return items;
  }

  /** AND and OR may not be mixed at one level without parentheses, as in SOQL itself. */
  private condition(): Condition {
    let left = this.unary();
    let joiner: 'and' | 'or' | null = null;
    while (this.isKeyword('and') || this.isKeyword('or')) {
      const word = this.peek().text.toLowerCase() as 'and' | 'or';
      if (joiner && joiner !== word) throw this.unexpected();
      joiner = word;
      this.next();
      const right = this.unary();
      left = { kind: word, left, right };
    }
    return left;
  }

  private unary(): Condition {
    if (this.isKeyword('not')) {
      this.next();
      return { kind: 'not', inner: this.unary() };
    }
    if (this.isPunct('(')) {
      this.next();
      const inner = this.condition();
      this.punct(')');
      return inner;
    }
    return this.predicate();
  }

  private predicate(): Condition {
    const path = this.fieldPath();
    const t = this.peek();
    if (t.kind === 'op') {
      this.next();
      return { kind: 'compare', path, op: t.text as ComparisonOp, value: this.literal() };
    }
    let negated = false;
    if (this.isKeyword('not') && this.isKeyword('in', 1)) {
      this.next();
      negated = true;
    }
    if (this.isKeyword('in')) {
      this.next();
      this.punct('(');
      const values: Literal[] = [];
      for (;;) {
        values.push(this.literal());
        if (!this.isPunct(',')) break;
        this.next();
      }
      this.punct(')');
      return { kind: 'in', path, negated, values };
    }
    if (this.isKeyword('like')) {
      this.next();
      const p = this.next();
      if (p.kind !== 'string') throw this.unexpected(p);
      return { kind: 'like', path, pattern: p.text };
    }
    throw this.unexpected();
  }

  private literal(): Literal {
    const t = this.next();
    switch (t.kind) {
      case 'string':
        return { kind: 'string', value: t.text, pos: t.pos };
      case 'number':
        return { kind: 'number', value: Number(t.text) };
      case 'date':
        return { kind: 'date', value: t.text };
      case 'datetime': {
        const ms = Date.parse(t.text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
        if (Number.isNaN(ms)) throw new SoqlError('MALFORMED_QUERY', `invalid datetime literal ${t.text}`);
        return { kind: 'datetime', value: ms, text: t.text };
      }
      case 'ident': {
        const w = t.text.toLowerCase();
        if (w === 'true' || w === 'false') return { kind: 'boolean', value: w === 'true' };
        if (w === 'null') return { kind: 'null' };
        throw this.unexpected(t);
      }
      default:
        throw this.unexpected(t);
    }
  }
}
