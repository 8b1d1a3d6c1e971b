import { COMMANDS } from './commands/index.ts';
import { runCli } from './run.ts';

// A reader that closes the pipe early (`kamflow analyze ... | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

process.exitCode = await runCli(
  process.argv.slice(2),
  { stdout: process.stdout, stderr: process.stderr, env: process.env },
  COMMANDS,
);
