import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { MIGRATIONS } from '../../../src/store/migrations.ts';
import { openStoreFromEnv } from '../../../src/store/open.ts';
import { PG_MIGRATIONS } from '../../../src/store/postgres/migrations.ts';
import { describeStores, type StoreHarness } from '../../support/stores.ts';

const CHILD = fileURLToPath(new URL('../../support/open-store-child.ts', import.meta.url));

function versionsOf(h: StoreHarness): number[] {
  return (h.kind === 'sqlite' ? MIGRATIONS : PG_MIGRATIONS).map((m) => m.version);
}

/** Starts `n` processes, waits until each has loaded, then lets them all open the store at once. */
async function openInParallel(env: NodeJS.ProcessEnv, n: number): Promise<{ code: number | null; stderr: string }[]> {
  const children = Array.from({ length: n }, (_, i) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { env: { ...process.env, ...env, CHILD_ID: `child-${i}` }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const ready = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
    return { child, ready, exited };
  });
  await Promise.all(children.map((c) => c.ready));
  for (const c of children) c.child.stdin.write('go\n');
  return Promise.all(children.map((c) => c.exited));
}

describeStores('store contract: migrations', (h) => {
  it('applies every migration once and reopens without applying them again', async () => {
    await h.open();
    expect(await h.migrationVersions()).toEqual(versionsOf(h));
    const again = await h.open();
    await again.createConnection({ id: 'c1', crm: 'hubspot', baseUrl: 'https://api.hubapi.com' });
    expect(await h.migrationVersions()).toEqual(versionsOf(h));
    expect((await (await h.open()).listConnections()).map((c) => c.id)).toEqual(['c1']);
  });

  it('refuses a database from a newer schema, naming both versions', async () => {
    await h.open();
    await h.addFutureMigration();
    await expect(h.open()).rejects.toThrow(`the database is at schema version 999, newer than this Kamflow knows (${Math.max(...versionsOf(h))}); upgrade Kamflow`);
  });

  it('is opened through openStoreFromEnv from the same variables the CLI reads', async () => {
    const store = await openStoreFromEnv(h.env());
    try {
      await store.setSetting('k', 'v');
      expect(await (await h.open()).getSetting('k')).toBe('v');
    } finally {
      await store.close();
    }
  });

  it('lets several processes open (and so migrate) a new database at the same moment', async () => {
    const results = await openInParallel(h.env(), 4);
    expect(results.map((r) => r.stderr)).toEqual(['', '', '', '']);
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expect(await h.migrationVersions()).toEqual(versionsOf(h));
    expect((await (await h.open()).listConnections()).map((c) => c.id)).toEqual(['child-0', 'child-1', 'child-2', 'child-3']);
  }, 60_000);
});
