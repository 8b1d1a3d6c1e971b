import type { CliIo } from './command.ts';

/**
 * One line of progress on stderr, rewritten in place, for the long stages of `sample` and
 * `analyze`: only when stderr is a terminal and not in CI, so logs and pipes stay clean.
 */
export interface Progress {
  /** Shows `stage` with a fraction done (0..1) or a count; throttled to a few updates a second. */
  update(stage: string, done?: number): void;
  /** Ends the current stage: its line stays with the time it took. */
  done(stage: string): void;
  /** Removes the line (before the report or an error is printed). */
  clear(): void;
}

const SILENT: Progress = { update: () => undefined, done: () => undefined, clear: () => undefined };

export function progressFor(io: CliIo, quiet = false): Progress {
  const ci = io.env['CI'] !== undefined && io.env['CI'] !== '' && io.env['CI'] !== 'false';
  if (quiet || ci || io.stderr.isTTY !== true) return SILENT;
  const stderr = io.stderr;
  let shown = false;
  // The first update always shows (the clock starts with the process, so 0 could still be within 150 ms).
  let last = Number.NEGATIVE_INFINITY;
  let stageStart = performance.now();
  let current = '';
  const write = (text: string) => {
    stderr.write(`\r\u001b[2K${text}`);
    shown = true;
  };
  return {
    update(stage, done) {
      if (stage !== current) {
        current = stage;
        stageStart = performance.now();
      }
      const now = performance.now();
      if (now - last < 150) return;
      last = now;
      const amount = done === undefined ? '' : done <= 1 ? ` ${(done * 100).toFixed(0)}%` : ` ${Math.round(done).toLocaleString('en-US')}`;
      write(`kamflow: ${stage}${amount}`);
    },
    done(stage) {
      const seconds = ((performance.now() - (stage === current ? stageStart : performance.now())) / 1000).toFixed(1);
      write(`kamflow: ${stage} (${seconds} s)\n`);
      shown = false;
      current = '';
      last = Number.NEGATIVE_INFINITY;
    },
    clear() {
      if (shown) stderr.write('\r\u001b[2K');
      shown = false;
    },
  };
}
