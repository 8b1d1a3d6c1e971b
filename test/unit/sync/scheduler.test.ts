import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import { emptyCounts } from '../../../src/contract/runs.ts';
import { SyncScheduler, validateSchedule, type CronTaskFactory } from '../../../src/sync/scheduler.ts';
import type { SyncResult } from '../../../src/sync/types.ts';

function capture(): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({ write(chunk: Buffer, _enc, cb) { lines.push(chunk.toString()); cb(); } });
  return { logger: createLogger({ level: 'info', destination }), lines };
}

function result(id: string): SyncResult {
  return {
    run: { id, connectionId: 'c1', kind: 'sync', status: 'succeeded', mode: 'incremental', dryRun: false, asOf: null, startedAt: '', finishedAt: '', counts: emptyCounts(), apiUsage: {}, error: null, rollbackOf: null },
    plan: null, estimatedCalls: {}, message: '',
  };
}

describe('validateSchedule', () => {
  it('accepts a valid expression and zone, and names what is wrong otherwise', () => {
    expect(validateSchedule('0 */6 * * *', 'Europe/Berlin')).toEqual([]);
    expect(validateSchedule('0 */6 * * *', null)).toEqual([]);
    expect(validateSchedule('61 * * * *', null)[0]).toMatch(/invalid cron expression "61 \* \* \* \*"/);
    expect(validateSchedule('0 * * * *', 'Mars/Olympus')).toEqual(['unknown time zone "Mars/Olympus" (use an IANA name such as Europe/Berlin)']);
  });
});

describe('SyncScheduler', () => {
  it('skips and logs a tick that comes while the previous run is still going', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    await store.createConnection({ id: 'c1', crm: 'hubspot', baseUrl: 'https://api.hubapi.com', schedule: '*/5 * * * *', timezone: 'Europe/Paris' });
    await store.createConnection({ id: 'c2', crm: 'hubspot', baseUrl: 'https://api.hubapi.com' });
    const ticks = new Map<string, () => void>();
    const created: { expression: string; timezone: string }[] = [];
    const factory: CronTaskFactory = (expression, onTick, options) => {
      created.push({ expression, timezone: options.timezone });
      ticks.set(options.name, onTick);
      return { start: () => undefined, stop: () => undefined };
    };
    let release: () => void = () => undefined;
    let calls = 0;
    const runSync = (): Promise<SyncResult> => {
      calls++;
      return new Promise((resolve) => { release = () => resolve(result(`run-${calls}`)); });
    };
    const { logger, lines } = capture();
    const scheduler = new SyncScheduler({ store, runSync, logger, createTask: factory });
    expect(await scheduler.start()).toEqual(['c1']);
    expect(created).toEqual([{ expression: '*/5 * * * *', timezone: 'Europe/Paris' }]);

    const first = scheduler.tick('c1');
    expect(await scheduler.tick('c1')).toBe('skipped');
    expect(calls).toBe(1);
    expect(lines.some((l) => l.includes('scheduled run skipped: the previous run is still going'))).toBe(true);
    release();
    expect(await first).toBe('ran');
    const third = scheduler.tick('c1');
    expect(calls).toBe(2);
    release();
    expect(await third).toBe('ran');
    await scheduler.stop();
    expect(await scheduler.tick('c1')).toBe('skipped');
    await store.close();
  });

  it('does not start a connection whose schedule is invalid', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    await store.createConnection({ id: 'c1', crm: 'hubspot', baseUrl: 'https://api.hubapi.com', schedule: 'nonsense' });
    const { logger, lines } = capture();
    const scheduler = new SyncScheduler({ store, runSync: async () => result('x'), logger, createTask: () => ({ start: () => undefined, stop: () => undefined }) });
    expect(await scheduler.start()).toEqual([]);
    expect(lines.join('')).toMatch(/invalid cron expression/);
    await scheduler.stop();
    await store.close();
  });
});
