import { openStoreFromEnv } from '../../src/store/open.ts';

/**
 * A separate process that opens the store the environment names (migrating it), records one
 * connection and exits: several of them started together test concurrent migrations. It says
 * "ready" once loaded and opens the store when told "go" on stdin, so all open at once.
 */
process.stdout.write('ready\n');
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
const store = await openStoreFromEnv(process.env);
try {
  await store.createConnection({ id: process.env['CHILD_ID'] ?? 'child', crm: 'hubspot', baseUrl: 'https://api.hubapi.com' });
} finally {
  await store.close();
}
process.stdin.destroy();
