import { execFileSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EXIT, UsageError } from '../../../src/cli/command.ts';
import { verifyPassword } from '../../../src/server/password.ts';
import { serveCommand } from '../../../src/cli/commands/serve.ts';
import { FakeBackend } from './fake-backend.ts';

function io(env: NodeJS.ProcessEnv) {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (d: Buffer) => {
    text += d.toString('utf8');
  });
  return { io: { stdout: new PassThrough(), stderr, env }, stderrText: () => text };
}

describe('kamflow serve', () => {
  it('listens, answers, and stops cleanly on abort, closing the backend', async () => {
    const abort = new AbortController();
    let closed = false;
    const cmd = serveCommand(async () => ({ backend: new FakeBackend(), close: async () => { closed = true; } }), { signal: abort.signal });
    const { io: cliIo, stderrText } = io({ KAMFLOW_SESSION_SECRET: 'k'.repeat(40), KAMFLOW_HUBSPOT_CLIENT_SECRET: 'never-logged-secret' });
    const done = cmd.run(['--port', '0', '--host', '127.0.0.1'], cliIo);
    let url: string | null = null;
    for (let i = 0; i < 200 && !url; i++) {
      url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(stderrText())?.[1] ?? null;
      if (!url) await new Promise((r) => setTimeout(r, 10));
    }
    expect(url).not.toBeNull();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    abort.abort();
    expect(await done).toBe(EXIT.ok);
    expect(closed).toBe(true);
    expect(stderrText()).not.toContain('never-logged-secret');
  });

  it('names bad settings and exits with the usage code', async () => {
    const cmd = serveCommand(async () => ({ backend: new FakeBackend() }));
    const { io: cliIo, stderrText } = io({ KAMFLOW_PORT: 'x' });
    expect(await cmd.run([], cliIo)).toBe(EXIT.usage);
    expect(stderrText()).toContain('KAMFLOW_PORT: must be an integer');
  });

  it('refuses unknown flags', async () => {
    const cmd = serveCommand(async () => ({ backend: new FakeBackend() }));
    await expect(cmd.run(['--verbose'], io({}).io)).rejects.toThrow(UsageError);
  });
});

describe('hash-password helper', () => {
  it('prints a hash of the password read from stdin', async () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'src/server/hash-password.ts'], { input: 'a long enough password\n', encoding: 'utf8' });
    const hash = out.trim();
    expect(hash).toMatch(/^scrypt\$15\$8\$1\$/);
    expect(await verifyPassword('a long enough password', hash)).toBe(true);
  });
});
