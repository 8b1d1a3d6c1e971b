import type { References } from '../../mappings/spreadsheet.ts';

/**
 * The records other rows may point at, by id and by name: people keep a parent as "Atlas
 * Holdings" more often than as an id. A name counts only when exactly one record carries it;
 * a value that is neither a known id nor such a name is kept as written (the analysis then
 * reports the missing parent or account, as it does for any source).
 */

const loose = (s: string): string => s.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ');

export class NameIndex {
  private readonly ids = new Set<string>();
  /** null: more than one record has the name. */
  private readonly names = new Map<string, string | null>();

  add(id: string, name: string | null): void {
    this.ids.add(id);
    if (name === null) return;
    const key = loose(name);
    const seen = this.names.get(key);
    this.names.set(key, seen === undefined || seen === id ? id : null);
  }

  resolve(value: string): string {
    if (this.ids.has(value)) return value;
    return this.names.get(loose(value)) ?? value;
  }

  get size(): number {
    return this.ids.size;
  }
}

export interface Indexes {
  accounts?: NameIndex;
  products?: NameIndex;
  opportunities?: NameIndex;
}

/** References for one read of a sheet: fresh line counters, the given indexes (identity where none). */
export function referencesFrom(indexes: Indexes): References {
  const lines = new Map<string, number>();
  return {
    account: (v) => indexes.accounts?.resolve(v) ?? v,
    product: (v) => indexes.products?.resolve(v) ?? v,
    opportunity: (v) => indexes.opportunities?.resolve(v) ?? v,
    lineOrdinal: (opportunityId) => {
      const n = (lines.get(opportunityId) ?? 0) + 1;
      lines.set(opportunityId, n);
      return n;
    },
  };
}
