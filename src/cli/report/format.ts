/** Number formats, colour and plain-text tables for the terminal report. */

const ANSI = {
  bold: '1', dim: '2', red: '31', green: '32', yellow: '33', blue: '34', magenta: '35', cyan: '36',
} as const;
export type Style = keyof typeof ANSI;

export interface Painter {
  paint(text: string, ...styles: Style[]): string;
}

export function painter(color: boolean): Painter {
  return {
    paint: (text, ...styles) =>
      color && styles.length > 0 && text !== ''
        ? `\u001b[${styles.map((s) => ANSI[s]).join(';')}m${text}\u001b[0m`
        : text,
  };
}

const ANSI_PATTERN = /\u001b\[[0-9;]*m/g;

/** Width on screen: colour codes take none. */
export function visibleLength(s: string): number {
  return s.replace(ANSI_PATTERN, '').length;
}

/** Thousands separators, no decimals: locale-independent so the report is the same everywhere. */
export function money(n: number): string {
  const rounded = Math.round(n);
  const digits = String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return rounded < 0 ? `-${digits}` : digits;
}

/** A fraction 0..1 as a percentage with one decimal; null as "n/a". */
export function pct(f: number | null): string {
  return f === null || !Number.isFinite(f) ? 'n/a' : `${(f * 100).toFixed(1)}%`;
}

export function signedPct(f: number | null): string {
  if (f === null || !Number.isFinite(f)) return 'n/a';
  return `${f > 0 ? '+' : ''}${(f * 100).toFixed(1)}%`;
}

/** "1 entity", "3 entities": `plural` defaults to singular + "s". */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${money(n)} ${n === 1 ? singular : plural}`;
}

export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  return max <= 1 ? s.slice(0, max) : `${s.slice(0, max - 1)}…`;
}

/**
 * Word-wraps `text` to `width` columns: the first line starts with `first`, the following ones
 * with `rest`. A word longer than a line is cut.
 */
export function wrap(text: string, width: number, first: string, rest: string): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const candidate = empty ? line + word : `${line} ${word}`;
    if (!empty && visibleLength(candidate) > width) {
      lines.push(line);
      line = rest + word;
    } else {
      line = candidate;
    }
    empty = false;
  }
  lines.push(line);
  return lines.map((l) => (visibleLength(l) > width ? truncate(l, width) : l));
}

function pad(s: string, width: number, align: 'l' | 'r'): string {
  const gap = Math.max(0, width - visibleLength(s));
  return align === 'r' ? ' '.repeat(gap) + s : s + ' '.repeat(gap);
}

/**
 * A plain-text table: one header row, a rule, then the rows; columns two spaces apart, each as
 * wide as its widest cell. `align` gives 'l' or 'r' per column.
 */
export function table(headers: string[], rows: string[][], align: ('l' | 'r')[], indent = '  '): string[] {
  const widths = headers.map((h, c) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[c] ?? ''))));
  const line = (cells: string[]) =>
    indent + cells.map((cell, c) => pad(cell, widths[c] ?? 0, align[c] ?? 'l')).join('  ').trimEnd();
  return [line(headers), indent + widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

export function heading(p: Painter, title: string): string[] {
  return ['', p.paint(title, 'bold'), p.paint('='.repeat(Math.min(title.length, 78)), 'dim')];
}
