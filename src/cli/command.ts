/** The shape every `kamflow` subcommand has, so that main.ts only dispatches. */

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export interface CliCommand {
  name: string;
  /** One line for `kamflow --help`. */
  summary: string;
  /** Full usage text for `kamflow NAME --help` and usage errors. */
  usage: string;
  /** Returns the exit code (see EXIT). Throws UsageError for bad flags. */
  run(argv: string[], io: CliIo): Promise<number>;
}

export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  /** Stopped by a CRM API limit; the next run resumes. */
  apiLimit: 3,
  /** The run finished, but the CRM refused some records' writes (planned again next run). */
  finishedWithFailures: 4,
  /** The run planned writes and waits for an admin to approve them (`kamflow plan RUN --approve`). */
  awaitingApproval: 5,
} as const;

/** What every exit code means, for the usage texts. */
export const EXIT_CODES_HELP = 'Exit codes: 0 done, 1 failed (or an approval refused), 2 bad usage, 3 stopped by a CRM API limit (the next run resumes), 4 finished but some records failed to write (see `kamflow run RUN`), 5 planned and waiting for approval (see `kamflow plan RUN`; nothing written).';

/** Bad flags or arguments: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
