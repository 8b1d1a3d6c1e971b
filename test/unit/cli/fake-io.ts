import { Writable } from 'node:stream';
import type { CliIo } from '../../../src/cli/command.ts';

export interface FakeIo {
  io: CliIo;
  stdout(): string;
  stderr(): string;
}

/** Collects what a command writes, for in-process runs. */
export function fakeIo(options: { env?: NodeJS.ProcessEnv; tty?: boolean } = {}): FakeIo {
  let out = '';
  let err = '';
  const stdout = Object.assign(
    new Writable({ write(chunk: Buffer | string, _enc, cb) { out += String(chunk); cb(); } }),
    { isTTY: options.tty ?? false },
  );
  const stderr = new Writable({ write(chunk: Buffer | string, _enc, cb) { err += String(chunk); cb(); } });
  return { io: { stdout, stderr, env: options.env ?? {} }, stdout: () => out, stderr: () => err };
}
