import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

describe('bin/kamflow.js', () => {
  it('runs analyze on the fixture as a real process and exits 0', async () => {
    const out = join(dir, 'result.json');
    const { stdout, stderr } = await run(process.execPath, [
      BIN, 'analyze', '--snapshot', fileURLToPath(SAMPLE_FIXTURE_PATH), '--as-of', SAMPLE_FIXTURE_OPTIONS.asOf, '--json', out,
    ], { env: { ...process.env, NO_COLOR: '1' } });
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^Kamflow analysis as of 2026-11-22/);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ asOf: '2026-11-22' });
  });

  it('sets exit code 2 for an unknown command', async () => {
    const failure: unknown = await run(process.execPath, [BIN, 'frobnicate']).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 2 });
    expect(String((failure as { stderr?: unknown }).stderr)).toMatch(/unknown command "frobnicate"/);
  });
});
