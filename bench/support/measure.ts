import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUSAGE = fileURLToPath(new URL('./rusage.mjs', import.meta.url));

export interface Measured {
  cpuSeconds: number;
  wallSeconds: number;
  maxRssBytes: number;
}

/**
 * Runs `node ARGS` as its own process and returns what it used, from the process itself (CPU
 * of all its threads, peak RSS) and from outside (wall time from spawn to exit). When it runs
 * itself again in a child process (`kamflow analyze`), CPU is the sum of both and peak RSS the
 * sum of their peaks (an upper bound: the first one waits, at about 40 MB).
 */
export function measureNode(args: string[], env: NodeJS.ProcessEnv = {}): Measured {
  const dir = mkdtempSync(join(tmpdir(), 'kamflow-measure-'));
  const out = join(dir, 'rusage.json');
  try {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--import', RUSAGE, ...args], {
      env: { ...process.env, ...env, KAMFLOW_RUSAGE_OUT: out, CI: process.env['CI'] ?? '' },
      stdio: ['ignore', 'ignore', 'pipe'],
      maxBuffer: 64 << 20,
    });
    const wallSeconds = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${String(r.status)}: ${r.stderr.toString().slice(0, 2000)}`);
    const files = readdirSync(dir).filter((f) => f.startsWith('rusage.json.'));
    if (files.length === 0) throw new Error(`node ${args.join(' ')} wrote no resource usage`);
    let cpuSeconds = 0;
    let maxRssBytes = 0;
    for (const f of files) {
      const u = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { cpuSeconds: number; maxRssBytes: number };
      cpuSeconds += u.cpuSeconds;
      maxRssBytes += u.maxRssBytes;
    }
    return { cpuSeconds, maxRssBytes, wallSeconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

export const gb = (bytes: number): string => `${(bytes / 1024 ** 3).toFixed(2)} GB`;
export const mb = (bytes: number): string => `${(bytes / 1024 ** 2).toFixed(0)} MB`;
export const secs = (s: number): string => `${s.toFixed(2)} s`;
