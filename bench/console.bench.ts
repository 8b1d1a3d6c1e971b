/**
 * The console's largest family page under load: a generated org is put into a SQLite store as
 * one synced connection's mirror, `kamflow serve` runs on it in its own process (the real
 * backend, store and analysis), and this process logs in and requests the page of the family
 * with the most entities from 50 connections at once. Target: p99 under 250 ms.
 *
 *   npm run bench:console [-- --accounts 4000 --offerings 40 --concurrency 50 --requests 2000]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { analyze } from '../src/analyze/index.ts';
import { parseAnalysisConfig } from '../src/config/analysis-config.ts';
import { generateSampleOrg } from '../src/sandbox/generate.ts';
import { hashPassword } from '../src/server/password.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { seedMirror } from '../src/demo/mirror-seed.ts';

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '4000' },
    offerings: { type: 'string', default: '40' },
    concurrency: { type: 'string', default: '50' },
    requests: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '7' },
  },
});
const ACCOUNTS = Number(values.accounts);
const OFFERINGS = Number(values.offerings);
const CONCURRENCY = Number(values.concurrency);
const REQUESTS = Number(values.requests);
const AS_OF = '2026-11-22';
const PASSWORD = 'console bench password';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** CPU seconds a process has used so far (user + system), from /proc; null where there is none. */
function cpuSecondsOf(pid: number | undefined): number | null {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return null;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name; clock ticks of 1/100 s.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

const dir = mkdtempSync(join(tmpdir(), 'kamflow-console-bench-'));
const dbPath = join(dir, 'kamflow.db');
const key = randomBytes(32).toString('base64');
const org = generateSampleOrg({ seed: Number(values.seed), accounts: ACCOUNTS, asOf: AS_OF, offerings: OFFERINGS });
const result = analyze({ snapshot: org, config: parseAnalysisConfig({}), asOf: AS_OF, rejected: [] });
const largest = [...result.families].sort((a, b) => b.entityIds.length - a.entityIds.length)[0];
if (!largest) throw new Error('the generated org has no family');
const store = new SqliteStore({ path: dbPath, encryptionKey: key });
await seedMirror(store, org, { connectionId: 'bench', name: 'Bench org', asOf: AS_OF });
await store.close();

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const child = spawn(process.execPath, [...(process.env['BENCH_CPU_PROF'] ? ['--cpu-prof', '--cpu-prof-dir', process.env['BENCH_CPU_PROF']] : []), '--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'serve'], {
  cwd: ROOT,
  env: {
    ...process.env,
    KAMFLOW_HOST: '127.0.0.1', KAMFLOW_PORT: String(port), KAMFLOW_PUBLIC_URL: base, KAMFLOW_INSECURE_COOKIES: 'true',
    KAMFLOW_SESSION_SECRET: randomBytes(32).toString('hex'), KAMFLOW_ADMIN_PASSWORD_HASH: await hashPassword(PASSWORD, { logN: 10 }),
    KAMFLOW_DB_PATH: dbPath, KAMFLOW_ENCRYPTION_KEY: key, KAMFLOW_LOG_LEVEL: 'warn', KAMFLOW_DEFAULT_SCHEDULE: '',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const stop = (): void => {
  child.kill('SIGTERM');
};
process.once('exit', () => {
  stop();
  rmSync(dir, { recursive: true, force: true });
});

try {
  const until = Date.now() + 60_000;
  while (!(await fetch(`${base}/healthz`).then((r) => r.ok, () => false))) {
    if (Date.now() > until) throw new Error('the console did not start within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  // Log in like a browser: the form's CSRF token, then the session cookie.
  const loginPage = await fetch(`${base}/login`);
  const anonymous = (loginPage.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await loginPage.text())?.[1] ?? '';
  const login = await fetch(`${base}/login`, {
    method: 'POST', redirect: 'manual', headers: { cookie: anonymous, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, user: 'admin', password: PASSWORD, next: '/' }).toString(),
  });
  const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
  if (login.status !== 303 || cookie === '') throw new Error(`login failed: ${login.status}`);
  const url = `${base}/connections/bench/families/${encodeURIComponent(largest.id)}`;

  const first = performance.now();
  const warm = await fetch(url, { headers: { cookie } });
  const page = await warm.text();
  if (warm.status !== 200) throw new Error(`the family page answered ${warm.status}: ${page.slice(0, 300)}`);
  const firstMs = performance.now() - first;
  const cells = (page.match(/<td class="cell /g) ?? []).length;
  // What a browser gets: fetch asks for gzip/br like one, and the page comes compressed when the server does it.
  const sentAs = `${warm.headers.get('content-encoding') ?? 'uncompressed'}, ${((Number(warm.headers.get('content-length') ?? page.length)) / 1024).toFixed(0)} KB sent`;

  const times: number[] = [];
  let next = 0;
  const cpuBefore = cpuSecondsOf(child.pid);
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < REQUESTS) {
      next += 1;
      const t0 = performance.now();
      const res = await fetch(url, { headers: { cookie } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`the family page answered ${res.status}`);
      times.push(performance.now() - t0);
    }
  }));
  const wall = (performance.now() - started) / 1000;
  const cpuAfter = cpuSecondsOf(child.pid);
  const clientUsed = process.cpuUsage(clientBefore);
  const clientPerPage = (clientUsed.user + clientUsed.system) / 1000 / REQUESTS;
  const cpuPerPage = cpuBefore !== null && cpuAfter !== null ? ((cpuAfter - cpuBefore) * 1000) / REQUESTS : null;
  times.sort((a, b) => a - b);
  const p50 = quantile(times, 0.5);
  const p99 = quantile(times, 0.99);
  process.stdout.write([
    `org: ${ACCOUNTS} accounts, ${OFFERINGS} offerings; largest family "${largest.name}": ${largest.entityIds.length} entities, ${cells} cells, page ${(Buffer.byteLength(page) / 1024).toFixed(0)} KB (${sentAs})`,
    `first request (analysis of the mirror included): ${firstMs.toFixed(0)} ms`,
    `${REQUESTS} requests, ${CONCURRENCY} at a time: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${(times.at(-1) ?? 0).toFixed(1)} ms, ${(REQUESTS / wall).toFixed(0)} pages/s`,
    `CPU per page: server ${cpuPerPage === null ? 'unknown (no /proc)' : `${cpuPerPage.toFixed(2)} ms`}, this client ${clientPerPage.toFixed(2)} ms; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores`,
    `target p99 < 250 ms: ${p99 < 250 ? 'met' : 'NOT met'}`,
    '',
  ].join('\n'));
  process.exitCode = p99 < 250 ? 0 : 1;
} finally {
  stop();
}
