import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';

/** What only the SQLite store does; the behaviour both stores share is in test/integration/store. */

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop() ?? '', { recursive: true, force: true });
});

describe('SqliteStore file', () => {
  it('creates the file readable by its owner only, in WAL mode, with its directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kamflow-store-'));
    dirs.push(dir);
    const path = join(dir, 'nested', 'k.db');
    const store = new SqliteStore({ path });
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await store.close();
    await store.close();
  });
});
