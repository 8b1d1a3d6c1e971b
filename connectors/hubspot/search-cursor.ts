import type { Cursor } from '../../src/contract/connector.ts';

/**
 * Where an incremental (search) pull stands: everything modified before `since` is done, and
 * so are the records in `sinceIds` modified exactly at `since`. Remembering the ties by id is
 * what lets a restarted query (past the 10,000 cap, or in the next run) start at `since` itself
 * without losing or repeating records that share a timestamp.
 */
export interface SearchCursor {
  since: number;
  sinceIds: string[];
  /** Archived records from this time on are reported as deletes. */
  archivedSince: number;
  /** The fingerprint of the exchange rates a money stream's records were converted with. */
  rates?: string | undefined;
}

export function searchCursor(c: SearchCursor): Cursor {
  return { phase: 'search', since: c.since, sinceIds: c.sinceIds.join(','), archivedSince: c.archivedSince, ...(c.rates !== undefined ? { rates: c.rates } : {}) };
}

/** The saved search cursor, or null when there is none (a full pull must come first). */
export function readSearchCursor(saved: Cursor | undefined): SearchCursor | null {
  if (!saved || saved['phase'] !== 'search') return null;
  const since = saved['since'];
  const ids = saved['sinceIds'];
  const archivedSince = saved['archivedSince'];
  if (typeof since !== 'number' || !Number.isFinite(since)) return null;
  const rates = saved['rates'];
  return {
    since,
    sinceIds: typeof ids === 'string' && ids !== '' ? ids.split(',') : [],
    archivedSince: typeof archivedSince === 'number' ? archivedSince : since,
    ...(typeof rates === 'string' ? { rates } : {}),
  };
}

/** The moving position of one search pull. */
export class SearchPosition {
  private tied: Set<string>;

  constructor(
    public since: number,
    ids: string[],
  ) {
    this.tied = new Set(ids);
  }

  get ids(): string[] {
    return [...this.tied];
  }

  /** True when the record is new to this pull; moves the position forward. */
  accept(id: string, modifiedAt: number): boolean {
    if (modifiedAt > this.since) {
      this.since = modifiedAt;
      this.tied = new Set([id]);
      return true;
    }
    if (modifiedAt === this.since) {
      if (this.tied.has(id)) return false;
      this.tied.add(id);
      return true;
    }
    // Inside the look-back window: read again on purpose, upserts are idempotent.
    return true;
  }
}
