import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { SAMPLE_FIXTURE_OPTIONS, SAMPLE_FIXTURE_PATH } from '../../fixtures/sample-org.ts';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../../bin/kamflow.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kamflow-bin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bin/kamflow.js (the compiled code in dist/, which npm test builds first)', () => {
  it('prints the version, and the usage without loading any command', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      const { stdout } = await run(process.execPath, [BIN, flag]);
      expect(stdout).toBe(`kamflow ${version}\n`);
    }
    const { stdout } = await run(process.execPath, [BIN, '--help']);
    expect(stdout).toMatch(/^Usage: kamflow <command>/);
    expect(stdout).toContain('  analyze ');
  });

  it('runs analyze on the fixture as a real process and exits 0', async () => {
    const out = join(dir, 'result.json');
    const { stdout, stderr } = await run(process.execPath, [
      BIN, 'analyze', '--snapshot', fileURLToPath(SAMPLE_FIXTURE_PATH), '--as-of', SAMPLE_FIXTURE_OPTIONS.asOf, '--json', out,
    ], { env: { ...process.env, NO_COLOR: '1' } });
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^Kamflow analysis as of 2026-11-22/);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ asOf: '2026-11-22' });
  });

  it('reads settings from a .env file in the working directory, the environment taking precedence', async () => {
    const work = mkdtempSync(join(dir, 'env-'));
    const key = Buffer.alloc(32, 7).toString('base64');
    writeFileSync(join(work, '.env'), `KAMFLOW_DB_PATH=${join(work, 'from-file.db')}\nKAMFLOW_ENCRYPTION_KEY=${key}\nKAMFLOW_LOG_LEVEL=silent\n`);
    const env = { ...process.env };
    delete env['KAMFLOW_DB_PATH'];
    delete env['KAMFLOW_ENCRYPTION_KEY'];
    await run(process.execPath, [BIN, 'runs'], { cwd: work, env });
    expect(existsSync(join(work, 'from-file.db'))).toBe(true);
    await run(process.execPath, [BIN, 'runs'], { cwd: work, env: { ...env, KAMFLOW_DB_PATH: join(work, 'from-env.db') } });
    expect(existsSync(join(work, 'from-env.db'))).toBe(true);
  });

  it('sets exit code 2 for an unknown command', async () => {
    const failure: unknown = await run(process.execPath, [BIN, 'frobnicate']).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 2 });
    expect(String((failure as { stderr?: unknown }).stderr)).toMatch(/unknown command "frobnicate"/);
  });
});
