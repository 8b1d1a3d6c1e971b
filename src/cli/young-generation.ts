import { spawn } from 'node:child_process';

/**
 * The analysis keeps a million account results alive while it makes them, and the engine
 * collects its young generation every 16 MB allocated by default (a few milliseconds each,
 * whatever survives, once the heap holds gigabytes): with 64 MB the scale benchmark ran 4-5 s
 * faster (1M accounts, alternating pairs). The size can only be set when the process starts, so
 * `kamflow analyze` starts itself again with it, unless the size is already set.
 */
export const ANALYZE_SEMI_SPACE_MB = 64;
const FLAG = '--max-semi-space-size';

/** Whether the young generation's size was left to the engine (no flag on the command line or in NODE_OPTIONS). */
export function semiSpaceUnset(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  const set = (a: string) => a === FLAG || a.startsWith(`${FLAG}=`) || a === '--max_semi_space_size' || a.startsWith('--max_semi_space_size=');
  return !execArgv.some(set) && !(nodeOptions ?? '').split(/\s+/).some(set);
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
