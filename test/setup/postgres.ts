import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

/**
 * Finds the PostgreSQL server the store tests run against: KAMFLOW_TEST_DATABASE_URL, or the
 * checkout's own server from scripts/ensure-postgres.sh (started here, and stopped at the end
 * if this run started it). In CI a missing server fails the run; elsewhere the tests that need
 * it are skipped, and this says so loudly.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    /** Empty when there is no server (outside CI only). */
    postgresUrl: string;
    postgresMissing: string;
  }
}

const SCRIPT = fileURLToPath(new URL('../../scripts/ensure-postgres.sh', import.meta.url));

export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env['CI']?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

function ensure(): { url: string; startedHere: boolean; missing: string } {
  const before = spawnSync('bash', [SCRIPT, '--status'], { encoding: 'utf8' });
  // Long enough for the script to install Debian's package when it runs as root.
  const run = spawnSync('bash', [SCRIPT], { encoding: 'utf8', timeout: 15 * 60_000 });
  const url = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status === 0 && url.startsWith('postgres://')) return { url, startedHere: before.status !== 0, missing: '' };
  // The script's last words say why (the apt-get output before them is noise here).
  const why = (run.stderr || run.error?.message || `exit code ${run.status}`).trim().split('\n').slice(-4).join('\n');
  return { url: '', startedHere: false, missing: why };
}

export default function setup(project: TestProject): () => void {
  const given = process.env['KAMFLOW_TEST_DATABASE_URL']?.trim();
  const found = given ? { url: given, startedHere: false, missing: '' } : ensure();
  if (!found.url) {
    if (inCi()) {
      throw new Error(`PostgreSQL is required in CI and could not be started (scripts/ensure-postgres.sh):\n${found.missing}`);
    }
    const bar = '!'.repeat(100);
    console.warn(`\n${bar}\n  SKIPPING every PostgreSQL store test: no PostgreSQL server here.\n  ${found.missing.split('\n').join('\n  ')}\n` +
      '  Get one with `sudo apt-get install postgresql` (then `npm test` starts it), or run as root\n' +
      '  `bash scripts/ensure-postgres.sh`, or set KAMFLOW_TEST_DATABASE_URL to a server you run.\n' +
      `${bar}\n`);
  }
  project.provide('postgresUrl', found.url);
  project.provide('postgresMissing', found.missing);
  return () => {
    if (found.startedHere) spawnSync('bash', [SCRIPT, '--stop'], { encoding: 'utf8' });
  };
}
