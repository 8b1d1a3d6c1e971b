import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../../src/cli/command.ts';
import { progressFor } from '../../../src/cli/progress.ts';

function io(tty: boolean, env: NodeJS.ProcessEnv = {}): { io: CliIo; err: () => string } {
  let err = '';
  const stderr = Object.assign(new Writable({ write(c: Buffer | string, _e, cb) { err += String(c); cb(); } }), { isTTY: tty });
  const stdout = new Writable({ write(_c, _e, cb) { cb(); } });
  return { io: { stdout, stderr, env }, err: () => err };
}

describe('progress on stderr', () => {
  it('shows each stage on a terminal, rewriting one line, and keeps finished stages', () => {
    const t = io(true);
    const p = progressFor(t.io);
    p.update('reading the snapshot', 0.5);
    p.done('reading the snapshot');
    p.update('analysing');
    p.clear();
    expect(t.err()).toMatch(/^\r\u001b\[2Kkamflow: reading the snapshot 50%\r\u001b\[2Kkamflow: reading the snapshot \(\d+\.\d s\)\n\r\u001b\[2Kkamflow: analysing\r\u001b\[2K$/);
  });

  it('is silent when stderr is not a terminal, in CI, and when asked to be (--json -)', () => {
    for (const [tty, env, quiet] of [[false, {}, false], [true, { CI: 'true' }, false], [true, {}, true]] as const) {
      const t = io(tty, env);
      const p = progressFor(t.io, quiet);
      p.update('analysing', 0.3);
      p.done('analysing');
      expect(t.err()).toBe('');
    }
  });
});
