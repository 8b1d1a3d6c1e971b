import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { UsageError, type CliIo } from '../../../src/cli/command.ts';
import { COMMAND_CATALOG } from '../../../src/cli/commands/catalog.ts';
import { workerCommand } from '../../../src/cli/commands/worker.ts';
import { silentLogger } from '../../../src/log.ts';

/**
 * The deployment files cannot be run here (no Docker): what can be checked is that they name
 * what exists (commands, flags, variables, routes, files) and that their health checks decide
 * as intended.
 */

const root = new URL('../../../', import.meta.url);
const read = (file: string): string => readFileSync(new URL(file, root), 'utf8');

const service = z.object({
  image: z.string().optional(),
  build: z.string().optional(),
  command: z.array(z.string()).optional(),
  environment: z.record(z.string(), z.string()).optional(),
  env_file: z.string().optional(),
  ports: z.array(z.string()).optional(),
  depends_on: z.record(z.string(), z.object({ condition: z.string() })).optional(),
  healthcheck: z.object({ test: z.array(z.string()) }),
});
const compose = z.object({ services: z.record(z.string(), service) }).parse(parse(read('compose.yaml')));
const { postgres, web, worker } = compose.services;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function io(env: NodeJS.ProcessEnv): CliIo {
  return { stdout: new PassThrough(), stderr: new PassThrough(), env };
}

describe('compose.yaml', () => {
  it('has the database, the console and the workers, each with a health check, the two waiting for a healthy database', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['postgres', 'web', 'worker']);
    for (const s of [web, worker]) expect(s?.depends_on?.['postgres']).toEqual({ condition: 'service_healthy' });
    expect(postgres?.healthcheck.test.join(' ')).toContain('pg_isready -U kamflow -d kamflow');
  });

  it('runs commands that exist with flags they take, against the compose database', async () => {
    const names = COMMAND_CATALOG.map((c) => c.name);
    expect(web?.command?.[0] && names.includes(web.command[0])).toBe(true);
    expect(worker?.command?.[0]).toBe('worker');
    // The worker's flags parse: it gets as far as asking for the PostgreSQL store.
    const command = workerCommand({ openStore: () => Promise.reject(new Error('not reached')), connectorFactory: () => { throw new Error('not reached'); }, profileOf: () => { throw new Error('not reached'); }, analyze: () => { throw new Error('not reached'); }, logger: silentLogger });
    await expect(command.run(worker?.command?.slice(1) ?? [], io({}))).rejects.toThrow(UsageError);
    await expect(command.run(worker?.command?.slice(1) ?? [], io({}))).rejects.toThrow(/KAMFLOW_DATABASE_URL/);
    for (const s of [web, worker]) {
      const url = new URL(s?.environment?.['KAMFLOW_DATABASE_URL']?.replace('${POSTGRES_PASSWORD}', 'pw') ?? '');
      expect([url.protocol, url.username, url.hostname, url.port, url.pathname]).toEqual(['postgres:', 'kamflow', 'postgres', '5432', '/kamflow']);
    }
  });

  it('sets only variables Kamflow documents, and checks the console on the port it listens on', () => {
    const documented = read('.env.example');
    for (const s of [web, worker]) for (const name of Object.keys(s?.environment ?? {})) expect(documented, name).toContain(name);
    const port = web?.environment?.['KAMFLOW_PORT'];
    expect(web?.ports).toEqual([`${port}:${port}`]);
    expect(web?.healthcheck.test.join(' ')).toContain(`http://127.0.0.1:${port}/readyz`);
    expect(read('src/server/routes/health.ts')).toContain("'/readyz'");
  });

  it("calls a worker healthy while its health file is under a minute old, and not when it is older or missing", () => {
    const file = worker?.environment?.['KAMFLOW_WORKER_HEALTH_FILE'] ?? '';
    const test = worker?.healthcheck.test ?? [];
    expect(test[0]).toBe('CMD-SHELL');
    expect(test[1]).toContain(file);
    const dir = mkdtempSync(join(tmpdir(), 'kamflow-health-'));
    dirs.push(dir);
    const here = join(dir, 'health');
    const check = (): number | null => spawnSync('sh', ['-c', (test[1] ?? '').replaceAll(file, here)]).status;
    expect(check()).toBe(1);
    writeFileSync(here, new Date().toISOString());
    expect(check()).toBe(0);
    const old = new Date(Date.now() - 120_000);
    utimesSync(here, old, old);
    expect(check()).toBe(1);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('builds on a Node the package accepts and starts the compiled CLI, serve by default', () => {
    const engines = z.object({ engines: z.object({ node: z.string() }) }).parse(JSON.parse(read('package.json'))).engines.node;
    const minimum = Number(/>=(\d+)/.exec(engines)?.[1]);
    for (const [, major] of dockerfile.matchAll(/^FROM node:(\d+)/gm)) expect(Number(major)).toBeGreaterThanOrEqual(minimum);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "bin\/kamflow\.js"\]$/m);
    expect(dockerfile).toMatch(/^CMD \["serve"\]$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    // What the runtime stage copies is what `bin/kamflow.js` loads.
    for (const path of ['bin', 'dist', 'node_modules', 'package.json']) expect(dockerfile).toContain(`/app/${path}`);
    expect(read('bin/kamflow.js')).toContain('../dist/src/cli/main.js');
  });

  it('keeps secrets, local stores and installed modules out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    for (const entry of ['.env', '**/node_modules', 'data', '**/*.db', '.git']) expect(ignored).toContain(entry);
    // What the build compiles and installs from stays in the context.
    for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'bin', 'src', 'connectors', 'mappings']) {
      expect(ignored.filter((entry) => entry === needed || entry === `${needed}/` || needed.startsWith(`${entry}/`)), needed).toEqual([]);
    }
  });
});
