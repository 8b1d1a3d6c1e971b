import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/cli/command.ts';
import { createLogger } from '../../../src/log.ts';
import { parseCommandArgs } from '../../../src/cli/args.ts';
import { progressReporter, showValue, validateDateFlag } from '../../../src/cli/sync-support.ts';

function sink(tty: boolean): Writable & { isTTY?: boolean; text: () => string } {
  const parts: string[] = [];
  const w = new Writable({ write(chunk: Buffer, _e, cb) { parts.push(chunk.toString()); cb(); } }) as Writable & { isTTY?: boolean; text: () => string };
  w.isTTY = tty;
  w.text = () => parts.join('');
  return w;
}

describe('progressReporter', () => {
  it('rewrites one line on a terminal and clears it when done', () => {
    const stderr = sink(true);
    const p = progressReporter({ stdout: sink(true), stderr, env: {} }, createLogger({ level: 'silent' }), false);
    p.report({ stage: 'pull', object: 'accounts', pulled: 2000, deleted: 1 });
    p.report({ stage: 'push', sent: 200, total: 400, failed: 0 });
    p.done();
    expect(stderr.text()).toBe('\r\x1b[2Kpulling accounts: 2000 record(s), 1 deleted\r\x1b[2Kwriting: 200/400 account(s), 0 failed\r\x1b[2K');
  });

  it('logs plain lines when not on a terminal', () => {
    const logs = sink(false);
    const stderr = sink(false);
    const p = progressReporter({ stdout: sink(false), stderr, env: {} }, createLogger({ level: 'info', destination: logs }), false);
    p.report({ stage: 'push', sent: 200, total: 400, failed: 3 });
    p.done();
    expect(stderr.text()).toBe('');
    expect(JSON.parse(logs.text())).toMatchObject({ msg: 'writing: 200/400 account(s), 3 failed', sent: 200, total: 400 });
  });
});

describe('flag helpers', () => {
  it('turns parse errors and extra arguments into usage errors', () => {
    expect(() => parseCommandArgs(['--nope'], { json: { type: 'boolean' } })).toThrow(UsageError);
    expect(() => parseCommandArgs(['a', 'b'], {}, 1)).toThrow('unexpected argument "b"');
    expect(parseCommandArgs(['run-1', '--json'], { json: { type: 'boolean' } }, 1)).toMatchObject({ values: { json: true }, positionals: ['run-1'] });
  });
  it('validates calendar dates and shortens long values', () => {
    expect(validateDateFlag('--as-of', '2024-02-29')).toBe('2024-02-29');
    expect(() => validateDateFlag('--as-of', '2023-02-29')).toThrow('--as-of must be a calendar date YYYY-MM-DD, got "2023-02-29"');
    expect(showValue(null)).toBe('(empty)');
    expect(showValue('x'.repeat(100))).toBe(`"${'x'.repeat(76)}...`);
  });
});
