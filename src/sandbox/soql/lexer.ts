import { SoqlError } from './errors.ts';

export type TokenKind = 'ident' | 'string' | 'number' | 'date' | 'datetime' | 'op' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Identifier as typed; string literal unescaped; operator or punctuation itself. */
  text: string;
  /** Character offset in the query, for error messages. */
  pos: number;
}

const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2})/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}(?![\dT])/;
const NUMBER_RE = /^-?\d+(?:\.\d+)?/;
const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/;
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', "'": "'", '\\': '\\' };

/** Splits a SOQL query into tokens; identifiers keep their dots (`Account.Name`). */
export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query.charAt(i);
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    const rest = query.slice(i);
    if (c === "'") {
      let j = i + 1;
      let text = '';
      for (;;) {
        if (j >= query.length) throw new SoqlError('MALFORMED_QUERY', `unterminated string literal starting at position ${i}`);
        const ch = query.charAt(j);
        if (ch === '\\') {
          const next = query.charAt(j + 1);
          // \% and \_ stay escaped: they only mean something to LIKE.
          const mapped = next === '%' || next === '_' ? `\\${next}` : ESCAPES[next];
          if (mapped === undefined) throw new SoqlError('MALFORMED_QUERY', `invalid escape sequence '\\${next}' at position ${j}`);
          text += mapped;
          j += 2;
          continue;
        }
        if (ch === "'") break;
        text += ch;
        j += 1;
      }
      tokens.push({ kind: 'string', text, pos: i });
      i = j + 1;
      continue;
    }
    const dt = DATETIME_RE.exec(rest);
    if (dt) {
      tokens.push({ kind: 'datetime', text: dt[0], pos: i });
      i += dt[0].length;
      continue;
    }
    const d = DATE_RE.exec(rest);
    if (d) {
      tokens.push({ kind: 'date', text: d[0], pos: i });
      i += d[0].length;
      continue;
    }
    const prev = tokens[tokens.length - 1];
    const minusAllowed = c !== '-' || !prev || prev.kind === 'op' || (prev.kind === 'punct' && prev.text !== ')');
    const num = minusAllowed ? NUMBER_RE.exec(rest) : null;
    if (num) {
      tokens.push({ kind: 'number', text: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    const id = IDENT_RE.exec(rest);
    if (id) {
      tokens.push({ kind: 'ident', text: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    const two = rest.slice(0, 2);
    if (two === '!=' || two === '<>' || two === '<=' || two === '>=') {
      tokens.push({ kind: 'op', text: two === '<>' ? '!=' : two, pos: i });
      i += 2;
      continue;
    }
    if (c === '=' || c === '<' || c === '>') {
      tokens.push({ kind: 'op', text: c, pos: i });
      i += 1;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: 'punct', text: c, pos: i });
      i += 1;
      continue;
    }
    throw new SoqlError('MALFORMED_QUERY', `unexpected character '${c}' at position ${i}`);
  }
  tokens.push({ kind: 'eof', text: '', pos: query.length });
  return tokens;
}
