/**
 * CLI start-up: the median wall time of `kamflow --version`, `kamflow --help` and `kamflow
 * analyze --help` through bin/kamflow.js (compiled code), next to a bare `node -e 0` started
 * the same way, with hyperfine when it is installed (apt-get install hyperfine), else a loop
 * of spawns. Target: under 0.3 s.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './support/measure.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'kamflow.js');
if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) {
  process.stderr.write('bench:startup measures the compiled CLI: run `npm run build` first\n');
  process.exit(1);
}
const RUNS = 30;
const cases: [string, string[]][] = [
  ['node -e 0 (no Kamflow)', ['-e', '0']],
  ['kamflow --version', [BIN, '--version']],
  ['kamflow --help', [BIN, '--help']],
  ['kamflow analyze --help', [BIN, 'analyze', '--help']],
];
const log = (line: string) => process.stdout.write(`${line}\n`);
log(`CLI start-up, Node ${process.version}, median of ${RUNS} runs (target < 0.3 s)`);
const hyperfine = spawnSync('hyperfine', ['--version']).status === 0;
for (const [name, args] of cases) {
  let wall: number;
  let cpu = Number.NaN;
  if (hyperfine) {
    const dir = mkdtempSync(join(tmpdir(), 'kamflow-startup-'));
    const out = join(dir, 'h.json');
    const cmd = [process.execPath, ...args].map((a) => `'${a}'`).join(' ');
    spawnSync('hyperfine', ['-N', '--warmup', '3', '--runs', String(RUNS), '--export-json', out, cmd], { stdio: 'ignore' });
    const r = JSON.parse(readFileSync(out, 'utf8')) as { results: { median: number; user: number; system: number }[] };
    rmSync(dir, { recursive: true, force: true });
    wall = r.results[0]?.median ?? Number.NaN;
    cpu = (r.results[0]?.user ?? 0) + (r.results[0]?.system ?? 0);
  } else {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      spawnSync(process.execPath, args, { stdio: 'ignore' });
      times.push((performance.now() - t0) / 1000);
    }
    wall = median(times);
  }
  log(`${name.padEnd(26)} ${wall.toFixed(3)} s median wall${Number.isNaN(cpu) ? '' : `, ${cpu.toFixed(3)} s mean CPU`}`);
}
log(hyperfine ? '(hyperfine)' : '(spawn loop; install hyperfine for steadier figures)');
