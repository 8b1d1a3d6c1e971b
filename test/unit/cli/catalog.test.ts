import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMAND_CATALOG } from '../../../src/cli/commands/catalog.ts';
import { COMMANDS } from '../../../src/cli/commands/index.ts';
import { mainUsage, runCli } from '../../../src/cli/run.ts';
import { fakeIo } from './fake-io.ts';

describe('the command catalog', () => {
  it('lists every command of the registry with its summary, in order, so --help needs no command loaded', () => {
    expect(COMMAND_CATALOG).toEqual(COMMANDS.map((c) => ({ name: c.name, summary: c.summary })));
    expect(mainUsage(COMMAND_CATALOG)).toBe(mainUsage(COMMANDS));
  });

  it('prints the package version for --version and -v', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      const f = fakeIo();
      expect(await runCli([flag], f.io, COMMANDS)).toBe(0);
      expect(f.stdout()).toBe(`kamflow ${version}\n`);
    }
  });
});
