import { describe, expect, it } from 'vitest';
import { readSearchCursor, searchCursor, SearchPosition } from '../../../connectors/hubspot/search-cursor.ts';

describe('search cursor', () => {
  it('round-trips through the opaque cursor', () => {
    const c = { since: 1_700_000_000_000, sinceIds: ['5', '9'], archivedSince: 1_699_000_000_000 };
    expect(searchCursor(c)).toEqual({ phase: 'search', since: 1_700_000_000_000, sinceIds: '5,9', archivedSince: 1_699_000_000_000 });
    expect(readSearchCursor(searchCursor(c))).toEqual(c);
  });

  it('is null for a list cursor or garbage', () => {
    expect(readSearchCursor(undefined)).toBeNull();
    expect(readSearchCursor({ phase: 'list', after: '100', startedAt: 5 })).toBeNull();
    expect(readSearchCursor({ phase: 'search', since: 'yesterday' })).toBeNull();
  });

  it('moves forward, skips ties it has seen, re-reads the look-back window', () => {
    const p = new SearchPosition(100, ['a']);
    expect(p.accept('a', 100)).toBe(false);
    expect(p.accept('b', 100)).toBe(true);
    expect(p.ids).toEqual(['a', 'b']);
    expect(p.accept('c', 90)).toBe(true);
    expect([p.since, p.ids]).toEqual([100, ['a', 'b']]);
    expect(p.accept('d', 150)).toBe(true);
    expect([p.since, p.ids]).toEqual([150, ['d']]);
  });
});
