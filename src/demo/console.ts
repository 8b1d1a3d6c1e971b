/**
 * `npm run console:demo`: the admin console on the local CRM simulator, in one command. It
 * starts the Salesforce and HubSpot simulator seeded with a generated org, registers one
 * connection to each (with Kamflow's fields created, as the demo does), then runs `kamflow
 * serve --demo` on a temporary store with a generated admin password, and prints the address
 * and the login. Nothing is written until the admin starts a run in the console. Ctrl-C stops
 * everything and removes the temporary store.
 *
 *   npm run console:demo [-- --port 3000 --accounts 200 --seed 1]
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { serveCommand } from '../cli/commands/serve.ts';
import { makeServeBackend } from '../console/serve-backend.ts';
import { createLogger } from '../log.ts';
import { generateSampleOrg } from '../sandbox/generate.ts';
import { hashPassword } from '../server/password.ts';
import { DB_PATH_VAR } from '../store/sqlite-store.ts';
import { ENCRYPTION_KEY_VAR } from '../store/crypto.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoEnvironment } from './environment.ts';

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function anyPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    accounts: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
  },
});
const wanted = Number(values.port);
const accounts = Number(values.accounts);
if (!Number.isInteger(wanted) || wanted < 1 || wanted > 65535 || !Number.isInteger(accounts)) {
  process.stderr.write('console:demo: --port must be 1-65535 and --accounts a whole number\n');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'kamflow-console-demo-'));
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
const key = randomBytes(32).toString('base64');
const storeEnv = { [DB_PATH_VAR]: join(dir, 'kamflow.db'), [ENCRYPTION_KEY_VAR]: key };
const asOf = new Date().toISOString().slice(0, 10);
const org = generateSampleOrg({ seed: Number(values.seed), accounts, asOf, contactRoles: true });
process.stderr.write(`console:demo: starting the CRM simulator with ${accounts} accounts and creating Kamflow's fields in it\n`);
const demo = await startDemoEnvironment({ org, env: storeEnv });
for (const crm of ['salesforce', 'hubspot'] as const) {
  const c = demo.connections[crm];
  await demo.store.updateConnection(c.id, { options: { ...c.options, name: `Demo ${crm === 'salesforce' ? 'Salesforce' : 'HubSpot'} org` } });
  const connector = demo.connectorFactory(c, await demo.store.loadCredentials(c.id), (t) => demo.store.saveTokens(c.id, t));
  await connector.provision();
}
// The server opens the store itself; the simulator stays up for it.
await demo.store.close();

const port = (await portFree(wanted)) ? wanted : await anyPort();
const url = `http://127.0.0.1:${port}`;
const password = `demo-${randomBytes(6).toString('hex')}`;
const sandbox = demo.sandbox;
const env: NodeJS.ProcessEnv = {
  ...storeEnv,
  KAMFLOW_HOST: '127.0.0.1',
  KAMFLOW_PORT: String(port),
  KAMFLOW_PUBLIC_URL: url,
  KAMFLOW_INSECURE_COOKIES: 'true',
  KAMFLOW_SESSION_SECRET: randomBytes(32).toString('hex'),
  KAMFLOW_ADMIN_USER: 'admin',
  KAMFLOW_ADMIN_PASSWORD_HASH: await hashPassword(password),
  KAMFLOW_CRM_SIMULATOR_URL: sandbox.url,
  KAMFLOW_CSP_EXTRA_FORM_ACTION: sandbox.url,
  SALESFORCE_CLIENT_ID: sandbox.salesforce.clientId,
  SALESFORCE_CLIENT_SECRET: sandbox.salesforce.clientSecret,
  HUBSPOT_CLIENT_ID: sandbox.hubspot.clientId,
  HUBSPOT_CLIENT_SECRET: sandbox.hubspot.clientSecret,
  KAMFLOW_DEFAULT_SCHEDULE: '',
  KAMFLOW_LOG_LEVEL: process.env['KAMFLOW_LOG_LEVEL'] ?? 'warn',
  ...(process.env['KAMFLOW_LOG_FORMAT'] ? { KAMFLOW_LOG_FORMAT: process.env['KAMFLOW_LOG_FORMAT'] } : {}),
};
const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());
const serving = serveCommand(makeServeBackend({ logger: createLogger({ env, level: 'warn' }) }), { signal: stop.signal })
  .run(['--demo'], { stdout: process.stdout, stderr: process.stderr, env });
const until = Date.now() + 30_000;
while (!(await fetch(`${url}/healthz`).then((r) => r.ok, () => false))) {
  if (Date.now() > until || stop.signal.aborted) break;
  await new Promise((r) => setTimeout(r, 200));
}
process.stdout.write([
  '',
  `Kamflow console (demo): ${url}`,
  `  user:     admin`,
  `  password: ${password}`,
  `  two connections to the simulator: "Demo Salesforce org" and "Demo HubSpot org"; start a dry run or a sync on either`,
  `  (the simulator also answers the console's Connect Salesforce / Connect HubSpot installs)`,
  'Ctrl-C stops the console and the simulator and removes the temporary store.',
  '',
].join('\n'));
const code = await serving;
await sandbox.close();
process.exit(code);
