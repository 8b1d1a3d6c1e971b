import { expect, it } from 'vitest';
import { describeStores } from '../../support/stores.ts';

describeStores('store contract: change marks and settings', (h) => {
  it('stores marks, refreshes their time, never downgrades a deletion, and lists them oldest first', async () => {
    const store = await h.open();
    expect(await store.markChanged('c1', [
      { object: 'accounts', id: 'A2', deleted: false, markedAt: '2026-06-30T08:00:02.000Z' },
      { object: 'accounts', id: 'A1', deleted: true, markedAt: '2026-06-30T08:00:01.000Z' },
      { object: 'contacts', id: 'K1', deleted: false, markedAt: '2026-06-30T08:00:01.000Z' },
      // Twice in one call: the later time wins, the deletion sticks.
      { object: 'accounts', id: 'A1', deleted: false, markedAt: '2026-06-30T08:00:05.000Z' },
    ])).toBe(4);
    await store.markChanged('c2', [{ object: 'accounts', id: 'A1', deleted: false, markedAt: '2026-06-30T08:00:00.000Z' }]);
    expect(await store.listChangeMarks('c1')).toEqual([
      { object: 'contacts', id: 'K1', deleted: false, markedAt: '2026-06-30T08:00:01.000Z' },
      { object: 'accounts', id: 'A2', deleted: false, markedAt: '2026-06-30T08:00:02.000Z' },
      { object: 'accounts', id: 'A1', deleted: true, markedAt: '2026-06-30T08:00:05.000Z' },
    ]);
    // A later call: a change after a deletion is still a deletion; a deletion after a change wins.
    await store.markChanged('c1', [
      { object: 'accounts', id: 'A1', deleted: false, markedAt: '2026-06-30T08:00:06.000Z' },
      { object: 'accounts', id: 'A2', deleted: true, markedAt: '2026-06-30T08:00:07.000Z' },
    ]);
    expect((await store.listChangeMarks('c1')).map((m) => [m.id, m.deleted, m.markedAt])).toEqual([
      ['K1', false, '2026-06-30T08:00:01.000Z'],
      ['A1', true, '2026-06-30T08:00:06.000Z'],
      ['A2', true, '2026-06-30T08:00:07.000Z'],
    ]);
    expect(await store.markChanged('c1', [])).toBe(0);
  });

  it('clears the marks a run read, but not those marked again after it read them', async () => {
    const store = await h.open();
    await store.markChanged('c1', [
      { object: 'accounts', id: 'A1', deleted: false, markedAt: '2026-06-30T08:00:01.000Z' },
      { object: 'accounts', id: 'A2', deleted: false, markedAt: '2026-06-30T08:00:01.000Z' },
    ]);
    const read = await store.listChangeMarks('c1');
    await store.markChanged('c1', [{ object: 'accounts', id: 'A2', deleted: false, markedAt: '2026-06-30T08:00:09.000Z' }]);
    await store.markChanged('c2', [{ object: 'accounts', id: 'A1', deleted: false, markedAt: '2026-06-30T08:00:00.000Z' }]);
    await store.clearChangeMarks('c1', read);
    await store.clearChangeMarks('c1', []);
    expect(await store.listChangeMarks('c1')).toEqual([{ object: 'accounts', id: 'A2', deleted: false, markedAt: '2026-06-30T08:00:09.000Z' }]);
    expect(await store.listChangeMarks('c2')).toHaveLength(1);
  });

  it('keeps console settings, replacing a value set twice', async () => {
    const store = await h.open();
    expect(await store.getSetting('admin.passwordHash')).toBeNull();
    await store.setSetting('admin.passwordHash', 'scrypt$1');
    await store.setSetting('connection.c1.currency', 'EUR');
    await store.setSetting('admin.passwordHash', 'scrypt$2');
    expect(await store.getSetting('admin.passwordHash')).toBe('scrypt$2');
    expect(await store.getSetting('connection.c1.currency')).toBe('EUR');
    // Another store on the same database sees them.
    expect(await (await h.open()).getSetting('admin.passwordHash')).toBe('scrypt$2');
  });
});
