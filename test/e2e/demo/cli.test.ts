import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { demoMain, parseDemoFlags } from '../../../src/demo/cli.ts';
import { MIN_ACCOUNTS } from '../../../src/sandbox/generate.ts';

function io(env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => { out += d.toString(); });
  stderr.on('data', (d: Buffer) => { err += d.toString(); });
  return { io: { stdout, stderr, env }, out: () => out, err: () => err };
}

describe('demo flags', () => {
  it('defaults: 200 accounts, seed 1, today, no latency, not kept', () => {
    expect(parseDemoFlags([], '2026-11-22')).toEqual({ accounts: 200, seed: 1, asOf: '2026-11-22', latencyMs: 0, keep: false, workbookDir: null, help: false });
  });

  it('reads every flag', () => {
    expect(parseDemoFlags(['--accounts', '500', '--seed', '9', '--as-of', '2024-02-29', '--latency', '20', '--keep', '--workbook-dir', 'books'], '2026-11-22'))
      .toEqual({ accounts: 500, seed: 9, asOf: '2024-02-29', latencyMs: 20, keep: true, workbookDir: 'books', help: false });
  });

  it('names the bad flag', () => {
    expect(() => parseDemoFlags(['--accounts', 'many'], 'x')).toThrow('--accounts must be a whole number, got "many"');
    expect(() => parseDemoFlags(['--accounts', '3'], 'x')).toThrow(`--accounts must be at least ${MIN_ACCOUNTS}, got 3`);
    expect(() => parseDemoFlags(['--as-of', '2025-02-29'], 'x')).toThrow('--as-of must be a calendar date YYYY-MM-DD, got "2025-02-29"');
    expect(() => parseDemoFlags(['--colour'], 'x')).toThrow(/colour/);
  });

  it('exits 2 with the usage on a bad flag, 0 with --help, without starting anything', async () => {
    const bad = io();
    expect(await demoMain(['--seed', '-1'], bad.io)).toBe(2);
    expect(bad.err()).toContain('demo: ');
    expect(bad.err()).toContain('Usage: npm run demo');
    const help = io();
    expect(await demoMain(['--help'], help.io)).toBe(0);
    expect(help.out()).toContain('--keep');
  });

  it('fails with a clear message and exit 1 when the store cannot be opened', async () => {
    const broken = io({ KAMFLOW_ENCRYPTION_KEY: 'not a key!' });
    expect(await demoMain(['--accounts', String(MIN_ACCOUNTS)], broken.io)).toBe(1);
    expect(broken.err()).toContain('demo failed: KAMFLOW_ENCRYPTION_KEY is not valid base64');
    expect(broken.out()).toBe('');
  });
});
