import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeCommand } from '../../../src/cli/commands/analyze.ts';
import { COMMANDS } from '../../../src/cli/commands/index.ts';
import { runCli } from '../../../src/cli/run.ts';
import { SAMPLE_FIXTURE_OPTIONS, SAMPLE_FIXTURE_PATH } from '../../fixtures/sample-org.ts';
import { fakeIo } from './fake-io.ts';

const FIXTURE = fileURLToPath(SAMPLE_FIXTURE_PATH);
const AS_OF = SAMPLE_FIXTURE_OPTIONS.asOf;
const dir = mkdtempSync(join(tmpdir(), 'kamflow-analyze-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function analyze(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const f = fakeIo({ env });
  const code = await runCli(['analyze', ...argv], f.io, COMMANDS);
  return { code, stdout: f.stdout(), stderr: f.stderr() };
}

const SECTION_6_KEYS = ['asOf', 'configVersion', 'portfolio', 'families', 'accounts', 'drift', 'issues'];

describe('kamflow analyze', () => {
  it('analyses the sample fixture, prints the report and writes the JSON of DOMAIN.md section 6', async () => {
    // A folder that does not exist yet is made, as for the README's `--json out/analysis.json`.
    const out = join(dir, 'out', 'result.json');
    const r = await analyze(['--snapshot', FIXTURE, '--as-of', AS_OF, '--json', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Kamflow analysis as of 2026-11-22 \(12 months 2025-11-23 to 2026-11-22/);
    for (const section of ['Portfolio', 'Key families', 'Loss scenarios', 'Tiers', 'Top whitespace', 'Risks', 'Drift', 'Data issues']) {
      expect(r.stdout).toContain(`\n${section}`);
    }
    expect(r.stdout).toContain('Atlas Global Holdings (ACC-KEY18): Key');
    expect(Math.max(...r.stdout.split('\n').map((l) => l.length))).toBeLessThanOrEqual(100);
    const json: unknown = JSON.parse(readFileSync(out, 'utf8'));
    expect(json).toBeTypeOf('object');
    // The section-6 keys in their documented order, plus the snapshot's currency after configVersion
    // and the payoff horizon and the worst case after drift.
    expect(Object.keys(json as object)).toEqual([...SECTION_6_KEYS.slice(0, 2), 'currency', ...SECTION_6_KEYS.slice(2, 6), 'horizon', 'worstCase', 'issues']);
    expect(json).toMatchObject({ asOf: AS_OF, configVersion: 1, currency: 'USD' });
  });

  it('writes identical JSON bytes on a second run', async () => {
    const a = await analyze(['--snapshot', FIXTURE, '--as-of', AS_OF, '--json', '-']);
    const b = await analyze(['--snapshot', FIXTURE, '--as-of', AS_OF, '--json', '-']);
    expect(a.code).toBe(0);
    expect(a.stdout.length).toBeGreaterThan(0);
    expect(b.stdout).toBe(a.stdout);
    expect(JSON.parse(a.stdout)).toMatchObject({ asOf: AS_OF });
  });

  it('uses colour only when asked for by a terminal', async () => {
    const plain = await analyze(['--snapshot', FIXTURE, '--as-of', AS_OF]);
    expect(plain.stdout).not.toContain('\u001b[');
    const forced = await analyze(['--snapshot', FIXTURE, '--as-of', AS_OF], { FORCE_COLOR: '1' });
    expect(forced.stdout).toContain('\u001b[1m');
    const tty = fakeIo({ tty: true, env: { NO_COLOR: '1' } });
    expect(await analyzeCommand.run(['--snapshot', FIXTURE, '--as-of', AS_OF], tty.io)).toBe(0);
    expect(tty.stdout()).not.toContain('\u001b[');
  });

  it('applies a valid config file', async () => {
    const config = file('config.json', JSON.stringify({ version: 7 }));
    const r = await analyze(['--snapshot', FIXTURE, '--as-of', AS_OF, '--config', config, '--json', '-']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ configVersion: 7 });
  });

  it('reports records that break the schema as data issues and analyses the rest', async () => {
    const snapshot = file('one-bad.json', JSON.stringify({
      version: 1,
      accounts: [{ id: 'A1', name: 'Acme' }, { id: 'A2', name: 'Beta', employees: -3 }],
      opportunities: [{ id: 'O1', accountId: 'A1', status: 'won', amount: 100, closeDate: '2026-05-01' }],
    }));
    const r = await analyze(['--snapshot', snapshot, '--as-of', '2026-06-30', '--json', '-']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { portfolio: { totalRevenue: number }; issues: { recordId: string | null; message: string }[] };
    expect(json.portfolio.totalRevenue).toBe(100);
    const issue = json.issues.find((i) => i.recordId === 'A2');
    expect(issue?.message).toMatch(/employees/);
  });

  it('exits 1 naming the file for a missing snapshot', async () => {
    const missing = join(dir, 'nope.json');
    const r = await analyze(['--snapshot', missing, '--as-of', AS_OF]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`kamflow analyze: cannot read snapshot ${missing}: no such file\n`);
    expect(r.stdout).toBe('');
  });

  it('exits 1 naming the file for a directory, malformed JSON, an empty file or a non-snapshot', async () => {
    const cases: [string, RegExp][] = [
      [dir, /cannot read snapshot .*: is a directory/],
      [file('bad.json', '{"version": 1, "accounts": [}'), /snapshot .*bad\.json is not valid JSON: /],
      [file('empty.json', '  \n'), /snapshot .*empty\.json is empty/],
      [file('v3.json', '{"version": 3}'), /snapshot .*v3\.json: not a valid snapshot: version: unsupported snapshot version/],
      [file('list.json', '[1, 2]'), /snapshot .*list\.json: not a valid snapshot/],
    ];
    for (const [path, message] of cases) {
      const r = await analyze(['--snapshot', path, '--as-of', AS_OF]);
      expect(r.code, path).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('exits 1 naming the config file and the bad setting', async () => {
    const unknown = file('unknown-criterion.json', JSON.stringify({ criteria: { charisma: { weight: 5 } } }));
    const r1 = await analyze(['--snapshot', FIXTURE, '--as-of', AS_OF, '--config', unknown]);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/^kamflow analyze: config .*unknown-criterion\.json: .*criteria\.charisma: unknown criterion/);

    const negative = file('negative.json', JSON.stringify({ criteria: { growth: { weight: -1 } } }));
    const r2 = await analyze(['--snapshot', FIXTURE, '--as-of', AS_OF, '--config', negative]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/config .*negative\.json: .*criteria\.growth\.weight: weight must not be negative/);

    const malformed = file('malformed-config.json', '{ version: 1 }');
    const r3 = await analyze(['--snapshot', FIXTURE, '--as-of', AS_OF, '--config', malformed]);
    expect(r3.code).toBe(1);
    expect(r3.stderr).toMatch(/config .*malformed-config\.json is not valid JSON/);

    const r4 = await analyze(['--snapshot', FIXTURE, '--as-of', AS_OF, '--config', join(dir, 'absent.json')]);
    expect(r4.code).toBe(1);
    expect(r4.stderr).toMatch(/cannot read config .*absent\.json: no such file/);
  });

  it('exits 2 with the usage for a bad --as-of, a missing --snapshot or an unknown flag', async () => {
    const cases: [string[], RegExp][] = [
      [['--snapshot', FIXTURE, '--as-of', '2026-02-30'], /--as-of: invalid analysis date "2026-02-30"/],
      [['--snapshot', FIXTURE, '--as-of', '30/06/2026'], /--as-of: invalid analysis date "30\/06\/2026"/],
      [['--as-of', AS_OF], /--snapshot FILE is required/],
      [['--snapshot', FIXTURE, '--colour'], /Unknown option '--colour'/],
      [['--snapshot'], /--snapshot/],
      [['--snapshot', FIXTURE, '--limit', '0'], /--limit must be a whole number/],
      [['--snapshot', FIXTURE, 'extra'], /extra/],
    ];
    for (const [argv, message] of cases) {
      const r = await analyze(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain('Usage: kamflow analyze');
    }
  });

  it('exits 1 when the JSON output cannot be written', async () => {
    // The folder would have to be made inside a plain file.
    const r = await analyze(['--snapshot', FIXTURE, '--as-of', AS_OF, '--json', join(file('plain.txt', 'x'), 'out.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot write JSON output .*plain\.txt\/out\.json: \S/);
  });
});
