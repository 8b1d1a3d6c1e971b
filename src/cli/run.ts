import { EXIT, EXIT_CODES_HELP, UsageError, type CliCommand, type CliIo } from './command.ts';
import { packageVersion } from './version.ts';

const HELP_FLAGS = new Set(['--help', '-h']);

export function mainUsage(commands: readonly Pick<CliCommand, 'name' | 'summary'>[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: kamflow <command> [options]',
    '',
    'Key-account analysis and write-back for Salesforce, HubSpot and spreadsheets.',
    '',
    'Commands:',
    ...lines,
    `  ${'help'.padEnd(width)}  Show this help, or a command's: kamflow help <command>`,
    '',
    'Run `kamflow <command> --help` for the options of a command; `kamflow --version` prints the version.',
    '',
    EXIT_CODES_HELP,
    '',
  ].join('\n');
}

/**
 * Dispatches `argv` (without node and script) to a command of the registry and returns the exit
 * code; never exits the process itself, so that callers and tests stay in control.
 */
export async function runCli(argv: string[], io: CliIo, commands: readonly CliCommand[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(mainUsage(commands));
    return EXIT.usage;
  }
  if (HELP_FLAGS.has(first)) {
    io.stdout.write(mainUsage(commands));
    return EXIT.ok;
  }
  if (first === '--version' || first === '-v') {
    io.stdout.write(`kamflow ${packageVersion()}\n`);
    return EXIT.ok;
  }
  if (first === 'help') {
    const topic = rest[0];
    if (topic === undefined) {
      io.stdout.write(mainUsage(commands));
      return EXIT.ok;
    }
    const command = commands.find((c) => c.name === topic);
    if (!command) {
      io.stderr.write(`kamflow: unknown command "${topic}"\n\n${mainUsage(commands)}`);
      return EXIT.usage;
    }
    io.stdout.write(withNewline(command.usage));
    return EXIT.ok;
  }
  const command = commands.find((c) => c.name === first);
  if (!command) {
    const what = first.startsWith('-') ? `unknown option "${first}"` : `unknown command "${first}"`;
    io.stderr.write(`kamflow: ${what}\n\n${mainUsage(commands)}`);
    return EXIT.usage;
  }
  if (rest.some((a) => HELP_FLAGS.has(a))) {
    io.stdout.write(withNewline(command.usage));
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`kamflow ${command.name}: ${error.message}\n\n${withNewline(command.usage)}`);
      return EXIT.usage;
    }
    // A bug, not a user error: say so in one line, with the stack only when asked for.
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`kamflow ${command.name}: unexpected error: ${message}\n`);
    if (io.env['KAMFLOW_DEBUG'] && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return EXIT.failed;
  }
}

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
