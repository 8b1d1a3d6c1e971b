import { describe, expect, it } from 'vitest';
import { UsageError, type CliCommand } from '../../../src/cli/command.ts';
import { COMMANDS } from '../../../src/cli/commands/index.ts';
import { runCli } from '../../../src/cli/run.ts';
import { fakeIo } from './fake-io.ts';

const echo: CliCommand = {
  name: 'echo',
  summary: 'Writes its arguments',
  usage: 'Usage: kamflow echo [--fail|--bug] WORDS',
  async run(argv, io) {
    if (argv.includes('--fail')) throw new UsageError('--fail is not allowed');
    if (argv.includes('--bug')) throw new Error('boom');
    io.stdout.write(argv.join(' '));
    return 0;
  },
};

describe('runCli', () => {
  it('lists the registered commands for --help and exits 0', async () => {
    const f = fakeIo();
    expect(await runCli(['--help'], f.io, COMMANDS)).toBe(0);
    expect(f.stdout()).toMatch(/Usage: kamflow <command>/);
    expect(f.stdout()).toMatch(/^ {2}analyze +Analyse a snapshot/m);
    expect(f.stdout()).toMatch(/^ {2}sample +Write a generated sample org/m);
  });

  it('prints usage to stderr and exits 2 without a command', async () => {
    const f = fakeIo();
    expect(await runCli([], f.io, COMMANDS)).toBe(2);
    expect(f.stderr()).toMatch(/Usage: kamflow/);
    expect(f.stdout()).toBe('');
  });

  it('names an unknown command, prints usage and exits 2', async () => {
    const f = fakeIo();
    expect(await runCli(['frobnicate'], f.io, COMMANDS)).toBe(2);
    expect(f.stderr()).toMatch(/unknown command "frobnicate"/);
    expect(f.stderr()).toMatch(/analyze/);
  });

  it('shows a command usage for `<cmd> --help` and `help <cmd>`', async () => {
    for (const argv of [['analyze', '--help'], ['analyze', '-h'], ['help', 'analyze']]) {
      const f = fakeIo();
      expect(await runCli(argv, f.io, COMMANDS)).toBe(0);
      expect(f.stdout()).toMatch(/^Usage: kamflow analyze --snapshot FILE/);
    }
  });

  it('dispatches to the named command with the remaining arguments', async () => {
    const f = fakeIo();
    expect(await runCli(['echo', 'a', 'b'], f.io, [echo])).toBe(0);
    expect(f.stdout()).toBe('a b');
  });

  it('turns a UsageError into its message plus the usage, exit 2', async () => {
    const f = fakeIo();
    expect(await runCli(['echo', '--fail'], f.io, [echo])).toBe(2);
    expect(f.stderr()).toBe('kamflow echo: --fail is not allowed\n\nUsage: kamflow echo [--fail|--bug] WORDS\n');
  });

  it('reports an unexpected error in one line and exits 1', async () => {
    const f = fakeIo();
    expect(await runCli(['echo', '--bug'], f.io, [echo])).toBe(1);
    expect(f.stderr()).toBe('kamflow echo: unexpected error: boom\n');
  });
});
