import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';

/**
 * The analysis keeps a million account results alive while it makes them, and the engine
 * collects its young generation every 16 MB allocated by default (a few milliseconds each,
 * whatever survives, once the heap holds gigabytes): with 64 MB the scale benchmark ran 4-5 s
 * faster (1M accounts, alternating pairs; at 100,000 accounts, a 244 MB file, it made no
 * difference). The size can only be set when the process starts, so `kamflow analyze` of a large
 * snapshot starts itself again with it, unless the size is already set.
 */
export const ANALYZE_SEMI_SPACE_MB = 64;
/** Snapshots from this size are analysed with the larger young generation (a second process costs about 80 ms). */
export const LARGE_SNAPSHOT_BYTES = 1e9;
const FLAG = '--max-semi-space-size';

/** Whether the young generation's size was left to the engine (no flag on the command line or in NODE_OPTIONS). */
export function semiSpaceUnset(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  const set = (a: string) => a === FLAG || a.startsWith(`${FLAG}=`) || a === '--max_semi_space_size' || a.startsWith('--max_semi_space_size=');
  return !execArgv.some(set) && !(nodeOptions ?? '').split(/\s+/).some(set);
}

/** The value of `--snapshot` on an analyze command line (`--snapshot F` or `--snapshot=F`), if any. */
export function snapshotArgument(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--snapshot') return argv[i + 1];
    if (a.startsWith('--snapshot=')) return a.slice('--snapshot='.length);
  }
  return undefined;
}

/**
 * Whether the snapshot is large enough for the larger young generation: a file of
 * LARGE_SNAPSHOT_BYTES or more, or one whose size cannot be known ahead (a pipe). A path that
 * cannot be read is left to the command, which names the problem.
 */
export function largeSnapshot(path: string | undefined): boolean {
  if (path === undefined || path === '') return false;
  try {
    const st = statSync(path);
    return !st.isFile() || st.size >= LARGE_SNAPSHOT_BYTES;
  } catch {
    return false;
  }
}

/**
 * Runs this command line again in a child process with `flags`, sharing the terminal, and ends
 * this process as the child ends (its exit code, or the signal that stopped it). Signals sent to
 * this process alone (`kill PID`) are passed on; Ctrl-C reaches both.
 */
export function runAgainWith(flags: readonly string[]): Promise<never> {
  const script = process.argv[1] as string;
  const child = spawn(process.execPath, [...flags, ...process.execArgv, script, ...process.argv.slice(2)], { stdio: 'inherit' });
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const pass = (signal: NodeJS.Signals) => {
    child.kill(signal);
  };
  for (const s of signals) process.on(s, pass);
  return new Promise<never>(() => {
    child.on('error', (error) => {
      process.stderr.write(`kamflow: cannot start the analysis process: ${error.message}\n`);
      process.exit(1);
    });
    child.on('exit', (code, signal) => {
      for (const s of signals) process.off(s, pass);
      if (signal !== null) process.kill(process.pid, signal);
      else process.exit(code ?? 1);
    });
  });
}
