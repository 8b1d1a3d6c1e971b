import { existsSync } from 'node:fs';
import type { CliCommand } from './command.ts';
import { COMMAND_CATALOG } from './commands/catalog.ts';
import { mainUsage, runCli } from './run.ts';
import { packageVersion } from './version.ts';
import { ANALYZE_SEMI_SPACE_MB, largeSnapshot, runAgainWith, semiSpaceUnset, snapshotArgument } from './young-generation.ts';

/**
 * `--log-format text|json`, anywhere on the line and for every command, is taken out before
 * the command sees its arguments: it sets KAMFLOW_LOG_FORMAT, which every logger reads.
 */
function takeLogFormat(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--log-format' || a.startsWith('--log-format=')) {
      const value = a === '--log-format' ? args[++i] : a.slice('--log-format='.length);
      if (value !== 'text' && value !== 'json') {
        process.stderr.write(`kamflow: --log-format must be text or json, not "${String(value ?? '').slice(0, 40)}"\n`);
        process.exit(2);
      }
      process.env['KAMFLOW_LOG_FORMAT'] = value;
    } else {
      out.push(a);
    }
  }
  return out;
}

const argv = takeLogFormat(process.argv.slice(2));
const envFormat = process.env['KAMFLOW_LOG_FORMAT']?.trim();
if (envFormat && envFormat !== 'text' && envFormat !== 'json') {
  process.stderr.write(`kamflow: KAMFLOW_LOG_FORMAT must be text or json, not "${envFormat.slice(0, 40)}"\n`);
  process.exit(2);
}
const first = argv[0];

// A reader that closes the pipe early (`kamflow analyze ... | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

/** The commands that work on files alone, loaded without the CRM clients, the store or the server. */
const LIGHT: Record<string, () => Promise<CliCommand>> = {
  analyze: async () => (await import('./commands/analyze.ts')).analyzeCommand,
  sample: async () => (await import('./commands/sample.ts')).sampleCommand,
  backtest: async () => (await import('./commands/backtest.ts')).backtestCommand(),
};

if (first === '--version' || first === '-v') {
  process.stdout.write(`kamflow ${packageVersion()}\n`);
} else if (first === '--help' || first === '-h' || (first === 'help' && argv.length === 1)) {
  process.stdout.write(mainUsage(COMMAND_CATALOG));
} else if (
  first === 'analyze' && !argv.includes('--help') && !argv.includes('-h')
  && semiSpaceUnset(process.execArgv, process.env['NODE_OPTIONS']) && largeSnapshot(snapshotArgument(argv))
) {
  await runAgainWith([`--max-semi-space-size=${ANALYZE_SEMI_SPACE_MB}`]);
} else if (first !== undefined && Object.hasOwn(LIGHT, first)) {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const command = await (LIGHT[first] as () => Promise<CliCommand>)();
  process.exitCode = await runCli(argv, { stdout: process.stdout, stderr: process.stderr, env: process.env }, [command]);
} else {
  // Settings live in the environment; a .env file in the working directory (see .env.example)
  // fills in what the environment does not already set. Loaded before the commands are built,
  // because they read their settings when they are made.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const { COMMANDS } = await import('./commands/index.ts');
  process.exitCode = await runCli(argv, { stdout: process.stdout, stderr: process.stderr, env: process.env }, COMMANDS);
}
