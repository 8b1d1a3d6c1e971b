import { existsSync } from 'node:fs';
import { runCli } from './run.ts';

// Settings live in the environment; a .env file in the working directory (see .env.example)
// fills in what the environment does not already set. Loaded before the commands are built,
// because they read their settings when they are made.
if (existsSync('.env')) process.loadEnvFile('.env');

const { COMMANDS } = await import('./commands/index.ts');

// A reader that closes the pipe early (`kamflow analyze ... | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

process.exitCode = await runCli(
  process.argv.slice(2),
  { stdout: process.stdout, stderr: process.stderr, env: process.env },
  COMMANDS,
);
