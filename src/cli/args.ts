import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * node:util parseArgs in strict mode, with its errors (unknown option, missing value) turned into
 * UsageError so that the dispatcher prints the usage and exits 2; at most `maxPositionals`
 * positional arguments. `--help` never reaches a command: the dispatcher answers it.
 */
export function parseCommandArgs<const O extends Options>(argv: string[], options: O, maxPositionals = 0) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: maxPositionals > 0 });
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError(error.message);
    }
    throw error;
  }
  if (parsed.positionals.length > maxPositionals) throw new UsageError(`unexpected argument "${parsed.positionals[maxPositionals] ?? ''}"`);
  return parsed;
}

/** The flags of a command that takes no positional arguments. */
export function parseFlags<const O extends Options>(argv: string[], options: O) {
  return parseCommandArgs(argv, options).values;
}
