import type { CellState, FamilyInsight } from '../../model/insights.ts';
import type { FamilyMatrix } from '../../model/matrix.ts';
import { money, truncate, type Painter, type Style } from './format.ts';

/** A lookup by account id (a Map is one). */
export interface Lookup<T> {
  get(id: string): T | undefined;
}

/** Names and parents of the snapshot's accounts, for entity rows in tree order. */
export interface ReportContext {
  names: Lookup<string>;
  parents: Lookup<string | null>;
}

export interface MatrixOptions {
  /** Total line width to stay within. */
  width: number;
  /** Most entity rows shown; the rest are counted. */
  maxRows: number;
}

const SYMBOL: Record<CellState, { char: string; styles: Style[] }> = {
  active: { char: 'A', styles: ['green', 'bold'] },
  open: { char: 'O', styles: ['cyan'] },
  lapsed: { char: 'L', styles: ['yellow'] },
  lost: { char: 'X', styles: ['red'] },
  whitespace: { char: '.', styles: ['dim'] },
};
const SUGGESTED = {
  peer: { char: '+', styles: ['magenta', 'bold'] as Style[] },
  sister: { char: '*', styles: ['magenta', 'bold'] as Style[] },
};

export const MATRIX_LEGEND = ['A active', 'O open', 'L lapsed', 'X lost', '. whitespace', '+ suggested by peers', '* by sister entities'];

const COLUMN = 3;
const NAME_MAX = 32;
const INDENT = '  ';

interface Row {
  id: string;
  depth: number;
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The family's entities depth-first from the root, children by name; unreachable ones last. */
export function treeOrder(family: FamilyInsight, ctx: ReportContext): Row[] {
  const members = new Set(family.entityIds);
  const children = new Map<string, string[]>();
  for (const id of family.entityIds) {
    const parent = ctx.parents.get(id) ?? null;
    if (parent === null || !members.has(parent) || id === family.id) continue;
    const list = children.get(parent) ?? [];
    list.push(id);
    children.set(parent, list);
  }
  const name = (id: string) => ctx.names.get(id) ?? id;
  const rows: Row[] = [];
  const seen = new Set<string>();
  const stack: Row[] = [{ id: family.id, depth: 0 }];
  while (stack.length > 0) {
    const row = stack.pop();
    if (!row || seen.has(row.id)) continue;
    seen.add(row.id);
    rows.push(row);
    // Code-unit order, not localeCompare: the report must not depend on the machine's locale.
    const kids = [...(children.get(row.id) ?? [])].sort((a, b) => compare(name(b), name(a)) || compare(b, a));
    for (const kid of kids) stack.push({ id: kid, depth: row.depth + 1 });
  }
  for (const id of family.entityIds) if (!seen.has(id)) rows.push({ id, depth: 0 });
  return rows;
}

function cellSymbol(p: Painter, m: FamilyMatrix, cell: number): string {
  if (cell === -1) return ' ';
  const state = m.state(cell);
  const suggestion = state === 'whitespace' ? m.suggestion(cell) : null;
  const s = suggestion ? SUGGESTED[suggestion.rule] : SYMBOL[state];
  return p.paint(s.char, ...s.styles);
}

/**
 * The family's penetration matrix: entities down the side (indented by depth), offerings across
 * as numbered columns with a legend, the entity's window revenue at the end. Offerings that do
 * not fit the width go to a further block below.
 */
export function renderMatrix(family: FamilyInsight, ctx: ReportContext, p: Painter, opts: MatrixOptions): string[] {
  const m = family.matrix;
  const offerings = m.offerings;
  const rowOf = new Map(m.entities.map((id, e) => [id, e]));
  if (offerings.length === 0) return [`${INDENT}(no offerings in the catalogue: nothing to show)`];
  const allRows = treeOrder(family, ctx);
  const rows = allRows.slice(0, opts.maxRows);
  const label = (r: Row) => truncate(`${'  '.repeat(Math.min(r.depth, 6))}${ctx.names.get(r.id) ?? r.id}`, NAME_MAX);
  const nameWidth = Math.max(6, ...rows.map((r) => label(r).length));
  const revenue = (id: string) => {
    const e = rowOf.get(id);
    let sum = 0;
    if (e !== undefined) for (let o = 0; o < offerings.length; o++) sum += m.revenue[m.cellIndex(e, o)] as number;
    return money(sum);
  };
  const revWidth = Math.max(7, ...rows.map((r) => revenue(r.id).length));
  const perBlock = Math.max(1, Math.floor((opts.width - INDENT.length - nameWidth - 2 - revWidth - 2) / COLUMN));

  const out: string[] = [];
  for (let start = 0; start < offerings.length; start += perBlock) {
    const block = offerings.slice(start, start + perBlock);
    const numbers = block.map((_, i) => String(start + i + 1).padStart(COLUMN - 1).padEnd(COLUMN));
    if (start > 0) out.push('');
    out.push(`${INDENT}${'Entity'.padEnd(nameWidth)}  ${numbers.join('')}  ${'Revenue'.padStart(revWidth)}`);
    out.push(`${INDENT}${'-'.repeat(nameWidth)}  ${'-'.repeat(block.length * COLUMN)}  ${'-'.repeat(revWidth)}`);
    for (const r of rows) {
      const e = rowOf.get(r.id);
      const cells = block.map((_, i) => ` ${cellSymbol(p, m, e === undefined ? -1 : m.cellIndex(e, start + i))} `).join('');
      out.push(`${INDENT}${label(r).padEnd(nameWidth)}  ${cells}  ${revenue(r.id).padStart(revWidth)}`);
    }
  }
  if (allRows.length > rows.length) out.push(`${INDENT}... ${allRows.length - rows.length} more entities (all in --json)`);
  out.push(...wrapLegend(offerings.map((o, i) => `${i + 1} ${o}`), opts.width, `${INDENT}Offerings:  `, `${INDENT}       `));
  out.push(...wrapLegend(MATRIX_LEGEND, opts.width, INDENT, INDENT));
  return out;
}

/** Items two spaces apart, a new line (starting with `next`) before one that would pass the width. */
function wrapLegend(items: readonly string[], width: number, first: string, next: string): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const item of items) {
    if (!empty && line.length + 2 + item.length > width) {
      lines.push(line);
      line = next;
      empty = true;
    }
    line += `${empty ? '' : '  '}${item}`;
    empty = false;
  }
  lines.push(line);
  return lines;
}
