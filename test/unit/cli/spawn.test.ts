import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { SAMPLE_FIXTURE_OPTIONS, SAMPLE_FIXTURE_PATH } from '../../fixtures/sample-org.ts';
import { ANALYZE_SEMI_SPACE_MB, LARGE_SNAPSHOT_BYTES, largeSnapshot, semiSpaceUnset, snapshotArgument } from '../../../src/cli/young-generation.ts';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../../bin/kamflow.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kamflow-bin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bin/kamflow.js (the compiled code in dist/, which npm test builds first)', () => {
  it('prints the version, and the usage without loading any command', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      const { stdout } = await run(process.execPath, [BIN, flag]);
      expect(stdout).toBe(`kamflow ${version}\n`);
    }
    const { stdout } = await run(process.execPath, [BIN, '--help']);
    expect(stdout).toMatch(/^Usage: kamflow <command>/);
    expect(stdout).toContain('  analyze ');
  });

  it('runs analyze on the fixture as a real process and exits 0', async () => {
    const out = join(dir, 'result.json');
    const { stdout, stderr } = await run(process.execPath, [
      BIN, 'analyze', '--snapshot', fileURLToPath(SAMPLE_FIXTURE_PATH), '--as-of', SAMPLE_FIXTURE_OPTIONS.asOf, '--json', out,
    ], { env: { ...process.env, NO_COLOR: '1' } });
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^Kamflow analysis as of 2026-11-22/);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ asOf: '2026-11-22' });
  });

  it('reads settings from a .env file in the working directory, the environment taking precedence', async () => {
    const work = mkdtempSync(join(dir, 'env-'));
    const key = Buffer.alloc(32, 7).toString('base64');
    writeFileSync(join(work, '.env'), `KAMFLOW_DB_PATH=${join(work, 'from-file.db')}\nKAMFLOW_ENCRYPTION_KEY=${key}\nKAMFLOW_LOG_LEVEL=silent\n`);
    const env = { ...process.env };
    delete env['KAMFLOW_DB_PATH'];
    delete env['KAMFLOW_ENCRYPTION_KEY'];
    await run(process.execPath, [BIN, 'runs'], { cwd: work, env });
    expect(existsSync(join(work, 'from-file.db'))).toBe(true);
    await run(process.execPath, [BIN, 'runs'], { cwd: work, env: { ...env, KAMFLOW_DB_PATH: join(work, 'from-env.db') } });
    expect(existsSync(join(work, 'from-env.db'))).toBe(true);
  });

  it('sets exit code 2 for an unknown command', async () => {
    const failure: unknown = await run(process.execPath, [BIN, 'frobnicate']).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 2 });
    expect(String((failure as { stderr?: unknown }).stderr)).toMatch(/unknown command "frobnicate"/);
  });

  describe('analyze of a large snapshot in a child process with a larger young generation', () => {
    /** The child processes of `pid`, from /proc (Linux). */
    async function childOf(pid: number): Promise<{ pid: number; args: string[] }> {
      for (let i = 0; i < 200; i++) {
        const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
        if (children !== '') {
          const child = Number(children.split(' ')[0]);
          return { pid: child, args: readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0') };
        }
        await sleep(25);
      }
      throw new Error(`no child of ${pid}`);
    }
    const exited = (p: ChildProcess) => new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      p.on('exit', (code, signal) => resolve({ code, signal }));
    });
    /** An analyze reading a named pipe (its size unknown: taken as large), which waits for the test to write the snapshot. */
    function analyzeFromPipe(name: string): { parent: ChildProcess; pipe: string; out: string } {
      const pipe = join(dir, `${name}.fifo`);
      execFileSync('mkfifo', [pipe]);
      const out = join(dir, `${name}.json`);
      const parent = spawn(process.execPath, [BIN, 'analyze', '--snapshot', pipe, '--as-of', SAMPLE_FIXTURE_OPTIONS.asOf, '--json', out], {
        env: { ...process.env, NO_COLOR: '1', NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      return { parent, pipe, out };
    }

    it('knows when the size is already set, on the command line or in NODE_OPTIONS', () => {
      expect(semiSpaceUnset([], undefined)).toBe(true);
      expect(semiSpaceUnset(['--enable-source-maps'], '--max-old-space-size=8192')).toBe(true);
      expect(semiSpaceUnset(['--max-semi-space-size=32'], undefined)).toBe(false);
      expect(semiSpaceUnset([], '--inspect --max_semi_space_size=8')).toBe(false);
    });

    it('takes it for a snapshot of a gigabyte or more, or a pipe; not for a small file or one it cannot read', () => {
      expect(snapshotArgument(['analyze', '--as-of', '2026-06-30', '--snapshot', 'a.json'])).toBe('a.json');
      expect(snapshotArgument(['analyze', '--snapshot=b.json'])).toBe('b.json');
      expect(snapshotArgument(['analyze'])).toBeUndefined();
      const big = join(dir, 'big.json');
      writeFileSync(big, '');
      execFileSync('truncate', ['-s', String(LARGE_SNAPSHOT_BYTES), big]);
      expect(largeSnapshot(big)).toBe(true);
      expect(largeSnapshot(fileURLToPath(SAMPLE_FIXTURE_PATH))).toBe(false);
      expect(largeSnapshot(join(dir, 'missing.json'))).toBe(false);
      expect(largeSnapshot(undefined)).toBe(false);
    });

    it.runIf(process.platform === 'linux')('starts no second process for a small file', async () => {
      const parent = spawn(process.execPath, [BIN, 'analyze', '--snapshot', fileURLToPath(SAMPLE_FIXTURE_PATH), '--as-of', SAMPLE_FIXTURE_OPTIONS.asOf], {
        env: { ...process.env, NO_COLOR: '1', NODE_OPTIONS: '' }, stdio: ['ignore', 'ignore', 'ignore'],
      });
      const seen = new Set<string>();
      const done = exited(parent);
      let finished = false;
      void done.then(() => { finished = true; });
      while (!finished) {
        try {
          const c = readFileSync(`/proc/${parent.pid as number}/task/${parent.pid as number}/children`, 'utf8').trim();
          if (c !== '') seen.add(c);
        } catch {
          break;
        }
        await sleep(5);
      }
      expect(await done).toEqual({ code: 0, signal: null });
      expect([...seen]).toEqual([]);
    });

    it.runIf(process.platform === 'linux')('runs with the flag, and ends with the exit code of the child', async () => {
      const { parent, pipe, out } = analyzeFromPipe('exit-code');
      const child = await childOf(parent.pid as number);
      expect(child.args).toContain(`--max-semi-space-size=${ANALYZE_SEMI_SPACE_MB}`);
      expect(child.args).toContain('analyze');
      await writeFile(pipe, readFileSync(SAMPLE_FIXTURE_PATH));
      expect(await exited(parent)).toEqual({ code: 0, signal: null });
      expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ asOf: SAMPLE_FIXTURE_OPTIONS.asOf });

      const bad = analyzeFromPipe('bad-snapshot');
      await childOf(bad.parent.pid as number);
      await writeFile(bad.pipe, '{"version":1,');
      expect(await exited(bad.parent)).toEqual({ code: 1, signal: null });
    });

    it.runIf(process.platform === 'linux')('passes a signal sent to it alone on to the child, and ends by it', async () => {
      const { parent } = analyzeFromPipe('signal');
      const child = await childOf(parent.pid as number);
      parent.kill('SIGTERM');
      expect(await exited(parent)).toEqual({ code: null, signal: 'SIGTERM' });
      await sleep(100);
      expect(existsSync(`/proc/${child.pid}`)).toBe(false);
    });
  });
});
