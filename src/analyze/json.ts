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

/** Exactly `JSON.stringify(m)`, without building the rows as arrays first. */
export function matrixJson(m: FamilyMatrix): string {
  const r = matrixRows(m);
  return `{"entities":${JSON.stringify(m.entities)},"offerings":${JSON.stringify(m.offerings)}`
    + `,"states":[${r.states.join(',')}],"revenue":[${r.revenue.join(',')}]`
    + `,"lifetimeRevenue":[${r.lifetimeRevenue.join(',')}],"openAmount":[${r.openAmount.join(',')}]`
    + `,"lastWonDate":[${r.lastWonDate.join(',')}],"suggestions":${JSON.stringify(m.suggestionList())}}`;
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

/** One family (or any value holding matrices) as JSON; `depth` is its nesting level when pretty. */
function valueJson(value: unknown, pretty: boolean, depth: number): string {
  const prefix = '  '.repeat(depth);
  const hasMatrix = typeof value === 'object' && value !== null && 'matrix' in value && value.matrix instanceof FamilyMatrix;
  if (!hasMatrix) {
    const text = pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value);
    return (pretty && depth > 0 ? (text ?? 'null').replace(/\n/g, `\n${prefix}`) : text) ?? 'null';
  }
  const matrix = (value as { matrix: FamilyMatrix }).matrix;
  // The key keeps its place in the copy; toJSON would build every row as arrays first.
  const stand = { ...value, matrix: MATRIX_TOKEN };
  if (!pretty) return JSON.stringify(stand).replace(QUOTED_TOKEN, () => matrixJson(matrix));
  const text = JSON.stringify(stand, null, 2).replace(/\n/g, `\n${prefix}`);
  return text.replace(QUOTED_TOKEN, () => matrixPrettyJson(matrix, `${prefix}  `));
}

export function* analysisJsonChunks(result: AnalysisResult, options: JsonOptions = {}): Generator<string> {
  const pretty = options.pretty === true;
  let buffer = pretty ? '{\n' : '{';
  // A key the result does not have (`currencies` of a one-currency snapshot) is left out, so
  // such a result keeps its exact text.
  const keys = TOP_LEVEL_KEYS.filter((key) => result[key] !== undefined);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k] as (typeof TOP_LEVEL_KEYS)[number];
    const value: unknown = result[key];
    const last = k === keys.length - 1;
    if (pretty) buffer += `  ${JSON.stringify(key)}: `;
    else buffer += `${k === 0 ? '' : ','}${JSON.stringify(key)}:`;
    if (Array.isArray(value) && value.length > 0) {
      buffer += pretty ? '[\n' : '[';
      for (let i = 0; i < value.length; i++) {
        const item = valueJson(value[i], pretty, 2);
        buffer += pretty ? `    ${item}${i < value.length - 1 ? ',' : ''}\n` : (i === 0 ? '' : ',') + item;
        if (buffer.length >= CHUNK) {
          yield buffer;
          buffer = '';
        }
      }
      buffer += pretty ? '  ]' : ']';
    } else {
      buffer += valueJson(value, pretty, 1);
    }
    if (pretty) buffer += last ? '\n' : ',\n';
  }
  yield pretty ? `${buffer}}\n` : `${buffer}}`;
}
