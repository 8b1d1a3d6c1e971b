import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The README's "To analyse a snapshot file without any CRM" commands, run as a new user would:
 * each line of that code block through a shell, in a fresh folder holding only the fixture, with
 * `npx kamflow` as the compiled CLI. Only the generated org is smaller (2,000 accounts instead of
 * 100,000) to keep the test short. Every line must exit 0, and what a line prints to the
 * terminal must fit one (no example dumps megabytes of JSON onto it).
 */

const ROOT = resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);
const TERMINAL_BYTES = 256 * 1024;

function exampleLines(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf('To analyse a snapshot file without any CRM:');
  expect(at, 'the README has the analyse-a-file examples').toBeGreaterThan(0);
  const block = /```\n([\s\S]*?)```/.exec(readme.slice(at))?.[1] ?? '';
  return block.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('npx kamflow'));
}

const dir = mkdtempSync(join(tmpdir(), 'kamflow-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the README's analyse-a-file examples, as written", () => {
  it('each exits 0 and prints no more than a terminal holds', async () => {
    const lines = exampleLines();
    expect(lines.length).toBeGreaterThanOrEqual(4);
    cpSync(join(ROOT, 'test/fixtures/sample-snapshot.json'), join(dir, 'test/fixtures/sample-snapshot.json'));
    const cli = `node ${JSON.stringify(join(ROOT, 'bin/kamflow.js'))}`;
    for (const line of lines) {
      const command = line.replaceAll('npx kamflow', cli).replace('--accounts 100000', '--accounts 2000');
      const r = await run('bash', ['-o', 'pipefail', '-c', command], { cwd: dir, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, CI: 'true' } })
        .then((x) => ({ code: 0, stdout: x.stdout, stderr: x.stderr }), (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }));
      expect([line, r.code, r.stderr.slice(0, 500)]).toEqual([line, 0, r.stderr.slice(0, 500)]);
      expect(r.stdout.length, `${line}: ${r.stdout.length} bytes on the terminal`).toBeLessThanOrEqual(TERMINAL_BYTES);
    }
    // What the lines promise: the files they name exist and parse.
    for (const f of ['out/analysis.json', 'out/big.json']) expect(JSON.parse(readFileSync(join(dir, f), 'utf8'))).toHaveProperty('portfolio');
    expect(statSync(join(dir, 'big.ndjson')).size).toBeGreaterThan(0);
  }, 300_000);
});
