import type { CliCommand } from '../command.ts';
import { analyzeCommand } from './analyze.ts';

/** Every `kamflow` subcommand; main.ts dispatches by name. Add new commands here. */
export const COMMANDS: CliCommand[] = [analyzeCommand];
