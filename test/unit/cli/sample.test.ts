import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/cli/commands/index.ts';
import { runCli } from '../../../src/cli/run.ts';
import { snapshotJson } from '../../../src/cli/snapshot-json.ts';
import { parseSnapshot } from '../../../src/model/snapshot.ts';
import { generateSampleOrg } from '../../../src/sandbox/generate.ts';
import { fakeIo } from './fake-io.ts';

const dir = mkdtempSync(join(tmpdir(), 'kamflow-sample-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function sample(argv: string[]) {
  const f = fakeIo();
  const code = await runCli(['sample', ...argv], f.io, COMMANDS);
  return { code, stdout: f.stdout(), stderr: f.stderr() };
}

describe('kamflow sample', () => {
  it('writes the generated org as a snapshot that parses without rejections', async () => {
    const out = join(dir, 'org.json');
    const r = await sample(['--out', out, '--accounts', '120', '--seed', '4', '--as-of', '2026-06-30', '--offerings', '9']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`kamflow sample: wrote 120 accounts, 360 opportunities to ${out}\n`);
    const text = readFileSync(out, 'utf8');
    const expected = generateSampleOrg({ seed: 4, accounts: 120, asOf: '2026-06-30', offerings: 9 });
    expect(text).toBe(snapshotJson(expected));
    const parsed = parseSnapshot(JSON.parse(text));
    expect(parsed.rejected).toEqual([]);
    expect(parsed.snapshot).toEqual(expected);
  });

  it('writes to stdout with --out -', async () => {
    const r = await sample(['--out', '-', '--as-of', '2026-06-30']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ version: 1, source: 'file' });
    expect(r.stderr).toBe('');
  });

  it('exits 2 naming the problem for bad options', async () => {
    const cases: [string[], RegExp][] = [
      [['--accounts', '10'], /--out FILE is required/],
      [['--out', '-', '--accounts', '10'], /accounts: must be at least 40/],
      [['--out', '-', '--accounts', 'many'], /--accounts must be a non-negative number, got "many"/],
      [['--out', '-', '--as-of', '2026-13-01'], /--as-of: invalid analysis date/],
    ];
    for (const [argv, message] of cases) {
      const r = await sample(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it('exits 1 when the file cannot be written', async () => {
    const r = await sample(['--out', join(dir, 'missing', 'org.json'), '--as-of', '2026-06-30']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot write snapshot .*org\.json: no such file/);
  });
});

describe('kamflow sample --format ndjson', () => {
  it('writes the header line, then one record a line with its kind, the same records as the JSON form', async () => {
    const out = join(dir, 'org.ndjson');
    const r = await sample(['--out', out, '--accounts', '60', '--seed', '2', '--as-of', '2026-06-30']);
    expect(r.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('{"version":1,"source":"file","currency":"USD"}');
    const records = lines.slice(1).map((l) => JSON.parse(l) as { kind: string; id: string });
    const expected = generateSampleOrg({ seed: 2, accounts: 60, asOf: '2026-06-30' });
    expect(records.filter((x) => x.kind === 'account').map((x) => x.id)).toEqual(expected.accounts.map((a) => a.id));
    expect(records.filter((x) => x.kind === 'opportunity')).toHaveLength(expected.opportunities.length);
    expect(records[0]).toEqual({ kind: 'account', ...expected.accounts[0] });
    const bad = await sample(['--out', out, '--format', 'csv', '--as-of', '2026-06-30']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format must be json or ndjson, got "csv"/);
  });
});
