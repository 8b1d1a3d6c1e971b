import type { CliCommand } from '../command.ts';
import { analyzeCommand } from './analyze.ts';
import { sampleCommand } from './sample.ts';

/** Every `kamflow` subcommand; main.ts dispatches by name. Add new commands here. */
export const COMMANDS: CliCommand[] = [analyzeCommand, sampleCommand];
