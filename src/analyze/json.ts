import type { AnalysisResult } from '../model/insights.ts';
import { FamilyMatrix, STATE_CHARS } from '../model/matrix.ts';

/**
 * The analysis JSON of DOMAIN.md section 6 (the matrix in columns), in pieces: at a million
 * accounts the document is gigabytes, far past the longest string V8 can hold, so it is
 * produced family by family and account by account. Top-level keys in the documented order,
 * the snapshot's currency after configVersion.
 *
 * Compact (the default) joins to exactly `JSON.stringify(result)`. Pretty is
 * `JSON.stringify(result, null, 2)` except inside a matrix, whose rows stay one line each, so
 * that the grid can be read.
 */
const TOP_LEVEL_KEYS = [
  'asOf', 'configVersion', 'currency', 'portfolio', 'families', 'accounts', 'drift', 'horizon', 'worstCase', 'issues', 'currencies',
] as const satisfies readonly (keyof AnalysisResult)[];

const CHUNK = 1 << 20;
// Stands in for a matrix while the rest of its family is stringified; cannot occur in real text.
const MATRIX_TOKEN = '\u0000kamflow-matrix\u0000';
const QUOTED_TOKEN = JSON.stringify(MATRIX_TOKEN);

export interface JsonOptions {
  pretty?: boolean;
}

const num = (v: number): string => (Number.isFinite(v) ? String(v) : 'null');

/** `[0,0,...]` and `[null,null,...]` by width: most rows of a matrix are empty, and cost nothing this way. */
const zeroRows = new Map<number, string>();
const nullRows = new Map<number, string>();
function emptyRow(cache: Map<number, string>, width: number, value: string): string {
  let row = cache.get(width);
  if (row === undefined) {
    row = `[${new Array<string>(width).fill(value).join(',')}]`;
    cache.set(width, row);
  }
  return row;
}

function numberRow(values: Float64Array, from: number, to: number): string {
  let zero = true;
  for (let c = from; c < to && zero; c++) zero = values[c] === 0;
  if (zero) return emptyRow(zeroRows, to - from, '0');
  let s = '[';
  for (let c = from; c < to; c++) s += (c === from ? '' : ',') + num(values[c] as number);
  return `${s}]`;
}

function dateRow(m: FamilyMatrix, from: number, to: number): string {
  let never = true;
  for (let c = from; c < to && never; c++) never = m.lastWon[c] === 0;
  if (never) return emptyRow(nullRows, to - from, 'null');
  let s = '[';
  for (let c = from; c < to; c++) {
    const d = m.lastWonDate(c);
    s += (c === from ? '' : ',') + (d === null ? 'null' : `"${d}"`);
  }
  return `${s}]`;
}

/** The per-entity rows of each column: one JSON text per row. */
function matrixRows(m: FamilyMatrix): Record<'states' | 'revenue' | 'lifetimeRevenue' | 'openAmount' | 'lastWonDate', string[]> {
  const O = m.offerings.length;
  const rows = { states: [] as string[], revenue: [] as string[], lifetimeRevenue: [] as string[], openAmount: [] as string[], lastWonDate: [] as string[] };
  for (let e = 0; e < m.entities.length; e++) {
    const from = e * O;
    const to = from + O;
    let states = '"';
    for (let c = from; c < to; c++) states += STATE_CHARS[m.states[c] as number] ?? '.';
    rows.states.push(`${states}"`);
    rows.revenue.push(numberRow(m.revenue, from, to));
    rows.lifetimeRevenue.push(numberRow(m.lifetimeRevenue, from, to));
    rows.openAmount.push(numberRow(m.openAmount, from, to));
    rows.lastWonDate.push(dateRow(m, from, to));
  }
  return rows;
}

/** The matrix pretty-printed at `indent` (the indentation of the line holding its key). */
export function matrixPrettyJson(m: FamilyMatrix, indent: string): string {
  const r = matrixRows(m);
  const inner = `${indent}  `;
  const block = (rows: string[]) => (rows.length === 0 ? '[]' : `[\n${inner}  ${rows.join(`,\n${inner}  `)}\n${inner}]`);
  const pretty = (v: unknown) => JSON.stringify(v, null, 2).replace(/\n/g, `\n${inner}`);
  return `{\n${inner}"entities": ${pretty(m.entities)},\n${inner}"offerings": ${pretty(m.offerings)},`
    + `\n${inner}"states": ${block(r.states)},\n${inner}"revenue": ${block(r.revenue)},`
    + `\n${inner}"lifetimeRevenue": ${block(r.lifetimeRevenue)},\n${inner}"openAmount": ${block(r.openAmount)},`
    + `\n${inner}"lastWonDate": ${block(r.lastWonDate)},\n${inner}"suggestions": ${pretty(m.suggestionList())}\n${indent}}`;
}

/** One family (or any value holding matrices) pretty-printed; `depth` is its nesting level. */
function prettyJson(value: unknown, depth: number): string {
  const prefix = '  '.repeat(depth);
  const hasMatrix = typeof value === 'object' && value !== null && 'matrix' in value && value.matrix instanceof FamilyMatrix;
  if (!hasMatrix) {
    const text = JSON.stringify(value, null, 2) ?? 'null';
    return depth > 0 ? text.replace(/\n/g, `\n${prefix}`) : text;
  }
  const matrix = (value as { matrix: FamilyMatrix }).matrix;
  // The key keeps its place in the copy; toJSON would build every row as arrays first.
  const text = JSON.stringify({ ...value, matrix: MATRIX_TOKEN }, null, 2).replace(/\n/g, `\n${prefix}`);
  return text.replace(QUOTED_TOKEN, () => matrixPrettyJson(matrix, `${prefix}  `));
}

/**
 * Bytes of UTF-8 text appended piece by piece: short strings and numbers are copied in a loop
 * (most of the document is ASCII), longer ones encoded by Buffer.write. Building the text as one
 * string per megabyte instead made ropes of thousands of small pieces that cost more to flatten
 * and encode than the pieces cost to make.
 */
export class JsonBytes {
  buf: Buffer;
  pos = 0;

  constructor(capacity = 1 << 21) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Room for `n` more bytes at `pos`. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  text(s: string): void {
    const n = s.length;
    this.ensure(n * 3);
    if (n > 48) {
      this.pos += this.buf.write(s, this.pos, 'utf8');
      return;
    }
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.pos = p + b.write(s.slice(i), p, 'utf8');
        return;
      }
      b[p++] = c;
    }
    this.pos = p;
  }

  byte(c: number): void {
    this.ensure(1);
    this.buf[this.pos++] = c;
  }

  /** The buffer the piece before the last was taken from, written into next. */
  private spare: Buffer | null = null;

  /**
   * The bytes so far, and an empty buffer after: two buffers take turns, so a piece stays valid
   * while the next one is made (until the one after), and can be written meanwhile.
   */
  take(): Buffer {
    const view = this.buf.subarray(0, this.pos);
    const next = this.spare ?? Buffer.allocUnsafe(this.buf.length);
    this.spare = this.buf;
    this.buf = next;
    this.pos = 0;
    return view;
  }
}

const COMMA = 0x2c;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const STATE_CODES = Array.from(STATE_CHARS, (ch) => ch.charCodeAt(0));
const DOT = 0x2e;

/** One number row of a matrix, as numberRow writes it. */
function numberRowBytes(out: JsonBytes, values: Float64Array, from: number, to: number): void {
  let zero = true;
  for (let c = from; c < to && zero; c++) zero = values[c] === 0;
  if (zero) {
    out.text(emptyRow(zeroRows, to - from, '0'));
    return;
  }
  out.byte(OPEN);
  for (let c = from; c < to; c++) {
    if (c !== from) out.byte(COMMA);
    const v = values[c] as number;
    if (v === 0) out.byte(0x30);
    else out.text(num(v));
  }
  out.byte(CLOSE);
}

function dateRowBytes(out: JsonBytes, m: FamilyMatrix, from: number, to: number): void {
  let never = true;
  for (let c = from; c < to && never; c++) never = m.lastWon[c] === 0;
  if (never) {
    out.text(emptyRow(nullRows, to - from, 'null'));
    return;
  }
  out.byte(OPEN);
  for (let c = from; c < to; c++) {
    if (c !== from) out.byte(COMMA);
    const d = m.lastWonDate(c);
    if (d === null) out.text('null');
    else {
      out.byte(QUOTE);
      out.text(d);
      out.byte(QUOTE);
    }
  }
  out.byte(CLOSE);
}

/** Exactly the UTF-8 of `JSON.stringify(m)` (its toJSON), without building the rows as arrays first. */
export function matrixBytes(out: JsonBytes, m: FamilyMatrix): void {
  const O = m.offerings.length;
  const E = m.entities.length;
  out.text(`{"entities":${JSON.stringify(m.entities)},"offerings":${JSON.stringify(m.offerings)},"states":[`);
  for (let e = 0; e < E; e++) {
    if (e > 0) out.byte(COMMA);
    out.byte(QUOTE);
    const from = e * O;
    for (let c = from; c < from + O; c++) out.byte(STATE_CODES[m.states[c] as number] ?? DOT);
    out.byte(QUOTE);
  }
  const numbers = (key: string, values: Float64Array) => {
    out.text(`],"${key}":[`);
    for (let e = 0; e < E; e++) {
      if (e > 0) out.byte(COMMA);
      numberRowBytes(out, values, e * O, e * O + O);
    }
  };
  numbers('revenue', m.revenue);
  numbers('lifetimeRevenue', m.lifetimeRevenue);
  numbers('openAmount', m.openAmount);
  out.text('],"lastWonDate":[');
  for (let e = 0; e < E; e++) {
    if (e > 0) out.byte(COMMA);
    dateRowBytes(out, m, e * O, e * O + O);
  }
  out.text(`],"suggestions":${JSON.stringify(m.suggestionList())}}`);
}

const LONG_TEXT = 24;
const LONG_TEXTS = 4096;
const MAX_DEPTH = 64;
const LITERAL = { true: Buffer.from('true'), false: Buffer.from('false'), null: Buffer.from('null') };

/**
 * Values written as compact JSON straight into bytes, exactly the UTF-8 of `JSON.stringify`:
 * a million account results stringified one by one made a string each (two bytes per
 * character once a reason holds a ★), which was then encoded again, and the reasons, risks
 * and parent names a family's entities share were escaped and encoded once per entity. Here
 * keys are encoded once, strings of plain ASCII are copied in a loop, longer strings keep
 * their encoded bytes (a bounded table, so a family's shared texts are encoded once), and a
 * FamilyMatrix is written by matrixBytes. What is not a plain object, array or primitive
 * (a Date, a class with toJSON) goes through JSON.stringify itself.
 */
export class CompactJsonWriter {
  private readonly keys = new Map<string, Buffer>();
  private readonly texts = new Map<string, Buffer>();

  constructor(private readonly out: JsonBytes) {}

  private bytes(b: Buffer): void {
    const out = this.out;
    out.ensure(b.length);
    b.copy(out.buf, out.pos);
    out.pos += b.length;
  }

  private string(s: string): void {
    const out = this.out;
    const n = s.length;
    if (n > LONG_TEXT) {
      let b = this.texts.get(s);
      if (b === undefined) {
        b = Buffer.from(JSON.stringify(s), 'utf8');
        if (this.texts.size >= LONG_TEXTS) this.texts.clear();
        this.texts.set(s, b);
      }
      this.bytes(b);
      return;
    }
    out.ensure(n + 2);
    const buf = out.buf;
    let p = out.pos;
    buf[p++] = QUOTE;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c === QUOTE || c === BACKSLASH || c >= 0x80) {
        // Escapes and characters beyond ASCII: JSON.stringify's own text, encoded.
        out.text(JSON.stringify(s));
        return;
      }
      buf[p++] = c;
    }
    buf[p++] = QUOTE;
    out.pos = p;
  }

  private key(k: string): void {
    let b = this.keys.get(k);
    if (b === undefined) {
      b = Buffer.from(`${JSON.stringify(k)}:`, 'utf8');
      // Bounded like the texts: an object with a key per record would otherwise keep them all.
      if (this.keys.size >= LONG_TEXTS) this.keys.clear();
      this.keys.set(k, b);
    }
    this.bytes(b);
  }

  /** Writes `v` as JSON.stringify(v) would; false for what it leaves out (undefined, a function, a symbol). */
  value(v: unknown, depth = 0): boolean {
    switch (typeof v) {
      case 'string':
        this.string(v);
        return true;
      case 'number':
        if (v === 0) this.out.byte(0x30);
        else this.out.text(num(v));
        return true;
      case 'boolean':
        this.bytes(v ? LITERAL.true : LITERAL.false);
        return true;
      case 'object':
        if (v === null) {
          this.bytes(LITERAL.null);
          return true;
        }
        if (depth > MAX_DEPTH) {
          // Deeper than any result: JSON.stringify writes the rest (and throws its own error for a cycle).
          this.out.text(JSON.stringify(v) ?? 'null');
          return true;
        }
        if (v instanceof FamilyMatrix) {
          matrixBytes(this.out, v);
          return true;
        }
        if (Array.isArray(v)) {
          this.array(v, depth);
          return true;
        }
        if (!isPlainObject(v)) {
          const text = JSON.stringify(v);
          if (text === undefined) return false;
          this.out.text(text);
          return true;
        }
        this.object(v as Record<string, unknown>, depth);
        return true;
      case 'bigint':
        JSON.stringify(v); // throws, as it would inside the document
        return false;
      default:
        return false;
    }
  }

  private array(v: readonly unknown[], depth: number): void {
    const out = this.out;
    out.byte(OPEN);
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out.byte(COMMA);
      if (!this.value(v[i], depth + 1)) this.bytes(LITERAL.null);
    }
    out.byte(CLOSE);
  }

  private object(v: Record<string, unknown>, depth: number): void {
    const out = this.out;
    out.byte(OPEN_BRACE);
    let first = true;
    const keys = Object.keys(v);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      const x = v[k];
      if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
      if (!first) out.byte(COMMA);
      first = false;
      this.key(k);
      this.value(x, depth + 1);
    }
    out.byte(CLOSE_BRACE);
  }
}

/** An object JSON.stringify writes key by key: a plain prototype and no toJSON. */
function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}

/**
 * The document as UTF-8 in pieces of about a megabyte, each cut after a whole value (so never
 * inside a character). A piece is a view of a buffer that the piece after the next overwrites:
 * write it (or copy it) while the next is made, and before asking for the one after.
 */
export function* analysisJsonBytes(result: AnalysisResult, options: JsonOptions = {}): Generator<Buffer> {
  const pretty = options.pretty === true;
  const out = new JsonBytes();
  const compact = pretty ? null : new CompactJsonWriter(out);
  const write = (v: unknown, depth: number) => {
    if (compact === null) out.text(prettyJson(v, depth));
    else if (!compact.value(v)) out.text('null');
  };
  out.text(pretty ? '{\n' : '{');
  // A key the result does not have (`currencies` of a one-currency snapshot) is left out, so
  // such a result keeps its exact text.
  const keys = TOP_LEVEL_KEYS.filter((key) => result[key] !== undefined);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k] as (typeof TOP_LEVEL_KEYS)[number];
    const value: unknown = result[key];
    const last = k === keys.length - 1;
    if (pretty) out.text(`  ${JSON.stringify(key)}: `);
    else out.text(`${k === 0 ? '' : ','}${JSON.stringify(key)}:`);
    if (Array.isArray(value) && value.length > 0) {
      out.text(pretty ? '[\n' : '[');
      for (let i = 0; i < value.length; i++) {
        if (pretty) out.text('    ');
        else if (i > 0) out.byte(COMMA);
        write(value[i], 2);
        if (pretty) out.text(i < value.length - 1 ? ',\n' : '\n');
        if (out.pos >= CHUNK) yield out.take();
      }
      out.text(pretty ? '  ]' : ']');
    } else {
      write(value, 1);
    }
    if (pretty) out.text(last ? '\n' : ',\n');
  }
  out.text(pretty ? '}\n' : '}');
  yield out.take();
}

/**
 * The document as text in pieces of about a megabyte: compact joins to exactly
 * `JSON.stringify(result)`.
 */
export function* analysisJsonChunks(result: AnalysisResult, options: JsonOptions = {}): Generator<string> {
  for (const piece of analysisJsonBytes(result, options)) yield piece.toString('utf8');
}
