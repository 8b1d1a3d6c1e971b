import type { CellState, Suggestion } from './insights.ts';

/**
 * A family's penetration matrix in columns: entities down the side, offerings across, one
 * value per cell in flat typed arrays (cell = entity * offerings.length + offering). A matrix
 * of 200 entities by 40 offerings is 8,000 cells; as objects, 100,000 accounts made 4 million
 * of them, half the retained heap. Cells are read through the accessors, or `cell()` builds one
 * cell as an object on demand.
 *
 * As JSON (`toJSON`, DOMAIN section 6 as changed): one row per entity, aligned with
 * `entities`; see the README's "Analysis output" for every key.
 */

export const CELL_STATES: readonly CellState[] = ['active', 'open', 'lapsed', 'lost', 'whitespace'];
/** One character per state, in CELL_STATES order, for the `states` rows of the JSON. */
export const STATE_CHARS = 'AOLX.';

export const STATE_CODE: Readonly<Record<CellState, number>> = { active: 0, open: 1, lapsed: 2, lost: 3, whitespace: 4 };

/** One cell as an object, built on demand (the matrix does not store them). */
export interface MatrixCell {
  entityId: string;
  offering: string;
  state: CellState;
  revenue: number;
  lifetimeRevenue: number;
  lastWonDate: string | null;
  openAmount: number;
  suggestion: Suggestion | null;
}

export interface SuggestionJson extends Suggestion {
  entity: string;
  offering: string;
}

export interface MatrixJson {
  entities: string[];
  offerings: string[];
  states: string[];
  revenue: number[][];
  lifetimeRevenue: number[][];
  openAmount: number[][];
  lastWonDate: (string | null)[][];
  suggestions: SuggestionJson[];
}

/** `yyyymmdd` day number -> `YYYY-MM-DD`. */
export function isoDay(d: number): string {
  const y = Math.floor(d / 10000);
  const m = Math.floor(d / 100) % 100;
  const day = d % 100;
  return `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${day < 10 ? '0' : ''}${day}`;
}

export class FamilyMatrix {
  constructor(
    /** Entity ids, the rows, in id order. */
    readonly entities: readonly string[],
    /** Offering names, the columns: the whole catalogue, in name order. */
    readonly offerings: readonly string[],
    /** Index into CELL_STATES per cell. */
    readonly states: Uint8Array,
    /** Window revenue per cell, rounded to cents. */
    readonly revenue: Float64Array,
    readonly lifetimeRevenue: Float64Array,
    readonly openAmount: Float64Array,
    /** Last won date per cell as a `yyyymmdd` number, 0 when never won. */
    readonly lastWon: Int32Array,
    /** Cells with a peer suggestion, ascending; `suggestions[k]` belongs to `suggestedCells[k]`. */
    readonly suggestedCells: Int32Array,
    readonly suggestions: readonly Suggestion[],
  ) {}

  /**
   * A matrix from cell objects (fixtures, hand-built results): rows and columns in the order
   * they first appear, a missing cell whitespace.
   */
  static fromCells(cells: readonly MatrixCell[]): FamilyMatrix {
    const entities = [...new Set(cells.map((c) => c.entityId))];
    const offerings = [...new Set(cells.map((c) => c.offering))];
    const n = entities.length * offerings.length;
    const states = new Uint8Array(n).fill(STATE_CODE.whitespace);
    const revenue = new Float64Array(n);
    const lifetime = new Float64Array(n);
    const open = new Float64Array(n);
    const lastWon = new Int32Array(n);
    const suggested: [number, Suggestion][] = [];
    for (const c of cells) {
      const i = entities.indexOf(c.entityId) * offerings.length + offerings.indexOf(c.offering);
      states[i] = STATE_CODE[c.state];
      revenue[i] = c.revenue;
      lifetime[i] = c.lifetimeRevenue;
      open[i] = c.openAmount;
      lastWon[i] = c.lastWonDate === null ? 0 : Number(c.lastWonDate.slice(0, 10).replaceAll('-', ''));
      if (c.suggestion) suggested.push([i, c.suggestion]);
    }
    suggested.sort((a, b) => a[0] - b[0]);
    return new FamilyMatrix(entities, offerings, states, revenue, lifetime, open, lastWon,
      Int32Array.from(suggested.map((s) => s[0])), suggested.map((s) => s[1]));
  }

  get cellCount(): number {
    return this.states.length;
  }

  cellIndex(entity: number, offering: number): number {
    return entity * this.offerings.length + offering;
  }

  state(cell: number): CellState {
    return CELL_STATES[this.states[cell] as number] ?? 'whitespace';
  }

  lastWonDate(cell: number): string | null {
    const d = this.lastWon[cell] as number;
    return d === 0 ? null : isoDay(d);
  }

  suggestion(cell: number): Suggestion | null {
    let lo = 0;
    let hi = this.suggestedCells.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.suggestedCells[mid] as number;
      if (c === cell) return this.suggestions[mid] ?? null;
      if (c < cell) lo = mid + 1;
      else hi = mid - 1;
    }
    return null;
  }

  /** The cell of an entity id and offering name as an object, or null when neither is in the matrix. */
  find(entityId: string, offering: string): MatrixCell | null {
    const e = this.entities.indexOf(entityId);
    const o = this.offerings.indexOf(offering);
    return e === -1 || o === -1 ? null : this.cell(this.cellIndex(e, o));
  }

  cell(index: number): MatrixCell {
    const O = this.offerings.length;
    return {
      entityId: this.entities[Math.floor(index / O)] ?? '',
      offering: this.offerings[index % O] ?? '',
      state: this.state(index),
      revenue: this.revenue[index] as number,
      lifetimeRevenue: this.lifetimeRevenue[index] as number,
      lastWonDate: this.lastWonDate(index),
      openAmount: this.openAmount[index] as number,
      suggestion: this.suggestion(index),
    };
  }

  /** Every cell as an object, row by row; for small matrices and tests. */
  cells(): MatrixCell[] {
    const out: MatrixCell[] = [];
    for (let c = 0; c < this.cellCount; c++) out.push(this.cell(c));
    return out;
  }

  stateRow(entity: number): string {
    const O = this.offerings.length;
    let s = '';
    for (let o = entity * O; o < (entity + 1) * O; o++) s += STATE_CHARS[this.states[o] as number] ?? '.';
    return s;
  }

  suggestionList(): SuggestionJson[] {
    const O = this.offerings.length;
    const out: SuggestionJson[] = [];
    for (let k = 0; k < this.suggestedCells.length; k++) {
      const c = this.suggestedCells[k] as number;
      const s = this.suggestions[k] as Suggestion;
      out.push({ entity: this.entities[Math.floor(c / O)] ?? '', offering: this.offerings[c % O] ?? '', ...s });
    }
    return out;
  }

  toJSON(): MatrixJson {
    const O = this.offerings.length;
    const rows = <T>(pick: (c: number) => T): T[][] =>
      this.entities.map((_, e) => Array.from({ length: O }, (_u, o) => pick(e * O + o)));
    return {
      entities: [...this.entities],
      offerings: [...this.offerings],
      states: this.entities.map((_, e) => this.stateRow(e)),
      revenue: rows((c) => this.revenue[c] as number),
      lifetimeRevenue: rows((c) => this.lifetimeRevenue[c] as number),
      openAmount: rows((c) => this.openAmount[c] as number),
      lastWonDate: rows((c) => this.lastWonDate(c)),
      suggestions: this.suggestionList(),
    };
  }
}
