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

  it('refuses the placeholders of .env.example unless told it is a demo, naming them and not their values', async () => {
    const env = { KAMFLOW_SESSION_SECRET: 'replace-with-at-least-32-random-characters', KAMFLOW_PUBLIC_URL: 'https://kamflow.example.com' };
    let made = 0;
    const refused = io(env);
    expect(await serveCommand(async () => { made += 1; return { backend: new FakeBackend() }; }).run([], refused.io)).toBe(EXIT.usage);
    expect(refused.stderrText()).toContain('placeholder values of .env.example: KAMFLOW_PUBLIC_URL, KAMFLOW_SESSION_SECRET');
    expect(refused.stderrText()).toContain('--demo');
    expect(made).toBe(0);

    const abort = new AbortController();
    const demo = io({ ...env, KAMFLOW_PORT: '0' });
    const done = serveCommand(async () => ({ backend: new FakeBackend() }), { signal: abort.signal }).run(['--demo'], demo.io);
    for (let i = 0; i < 300 && !demo.stderrText().includes('console ready'); i++) await new Promise((r) => setTimeout(r, 10));
    abort.abort();
    expect(await done).toBe(EXIT.ok);
    expect(demo.stderrText()).toContain('demo: running on placeholder settings');
    expect(demo.stderrText()).not.toContain('replace-with-at-least');
  });

  it('warns about every login path that cannot work and logs the address to open', async () => {
    const abort = new AbortController();
    const backend = new FakeBackend();
    const run = io({ KAMFLOW_SESSION_SECRET: 'k'.repeat(40), KAMFLOW_PORT: '0', KAMFLOW_PUBLIC_URL: 'http://console.internal:3000' });
    const done = serveCommand(async () => ({ backend }), { signal: abort.signal }).run([], run.io);
    for (let i = 0; i < 300 && !run.stderrText().includes('console ready'); i++) await new Promise((r) => setTimeout(r, 10));
    abort.abort();
    expect(await done).toBe(EXIT.ok);
    const text = run.stderrText();
    expect(text).toContain('nobody can log in: no admin password is set');
    expect(text).toContain('cookies are Secure');
    expect(text).toContain('plain http on a non-loopback host');
    expect(text).toContain('console ready: open http://console.internal:3000/setup in a browser');
  });

  it('refuses to start when the stored password hash is malformed', async () => {
    const backend = new FakeBackend();
    backend.adminHash = 'scrypt$broken';
    const run = io({ KAMFLOW_SESSION_SECRET: 'k'.repeat(40), KAMFLOW_PORT: '0' });
    expect(await serveCommand(async () => ({ backend })).run([], run.io)).toBe(EXIT.usage);
    expect(run.stderrText()).toContain('stored by the first-run setup is malformed');
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
