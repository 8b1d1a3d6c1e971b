import { CronExpressionParser } from 'cron-parser';
import { createTask, validateDetailed } from 'node-cron';
import type { Logger } from '../log.ts';
import type { ConnectionRecord, Store } from '../store/types.ts';
import { ConnectionBusyError } from '../contract/errors.ts';
import type { SyncOptions, SyncResult } from './types.ts';

/** What the scheduler needs of a cron task; node-cron's by default, a hand-driven one in tests. */
export interface CronTask {
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
  /** When the task fires next, if the task can tell (node-cron's can). */
  getNextRun?(): Date | null;
}
export type CronTaskFactory = (expression: string, onTick: () => void, options: { timezone: string; name: string }) => CronTask;

export const nodeCronTaskFactory: CronTaskFactory = (expression, onTick, options) =>
  createTask(expression, () => { onTick(); }, { timezone: options.timezone, name: options.name });

/** Errors in a cron expression and time zone; empty when both are usable. */
export function validateSchedule(expression: string, timezone: string | null): string[] {
  const errors: string[] = [];
  const check = validateDetailed(expression);
  if (!check.valid) {
    const detail = check.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    errors.push(`invalid cron expression "${expression}"${detail ? ` (${detail})` : ''}`);
  }
  if (timezone !== null) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    } catch {
      errors.push(`unknown time zone "${timezone}" (use an IANA name such as Europe/Berlin)`);
    }
  }
  return errors;
}

/** The first time after `after` that the expression names, read in `timezone` (daylight saving included). */
export function nextRunAt(expression: string, timezone: string | null, after: Date): Date {
  return CronExpressionParser.parse(expression, { currentDate: after, tz: timezone ?? 'UTC' }).next().toDate();
}

export type TickOutcome = 'ran' | 'skipped' | 'busy' | 'failed';

export interface SchedulerDeps {
  store: Store;
  runSync: (options: SyncOptions) => Promise<SyncResult>;
  logger: Logger;
  createTask?: CronTaskFactory;
}

/**
 * One cron task per scheduled connection. A tick that finds the connection's previous run still
 * going is skipped and logged, never queued behind it; the store's lock also refuses a run that
 * another process holds.
 */
export class SyncScheduler {
  private readonly tasks = new Map<string, CronTask>();
  private readonly running = new Map<string, Promise<unknown>>();
  private stopped = false;

  constructor(private readonly deps: SchedulerDeps) {}

  /** Schedules every connection that has a valid schedule; returns the ids scheduled. */
  async start(): Promise<string[]> {
    const scheduled: string[] = [];
    for (const c of await this.deps.store.listConnections()) {
      if (await this.schedule(c)) scheduled.push(c.id);
    }
    return scheduled;
  }

  /** Picks up a connection's new, changed or removed schedule; true when it is now scheduled. */
  async reschedule(connectionId: string): Promise<boolean> {
    const old = this.tasks.get(connectionId);
    this.tasks.delete(connectionId);
    if (old) await old.stop();
    const c = await this.deps.store.getConnection(connectionId);
    return c !== null && !this.stopped ? this.schedule(c) : false;
  }

  /** When the connection's next scheduled run starts; null when it has no running schedule. */
  nextRun(connectionId: string): Date | null {
    return this.tasks.get(connectionId)?.getNextRun?.() ?? null;
  }

  private async schedule(c: ConnectionRecord): Promise<boolean> {
    if (c.schedule === null) return false;
    const errors = validateSchedule(c.schedule, c.timezone);
    if (errors.length > 0) {
      this.deps.logger.error({ connectionId: c.id, errors }, 'schedule not started: fix it with `kamflow schedule --set`');
      return false;
    }
    const factory = this.deps.createTask ?? nodeCronTaskFactory;
    const task = factory(c.schedule, () => { void this.tick(c.id); }, { timezone: c.timezone ?? 'UTC', name: `kamflow-${c.id}` });
    await task.start();
    this.tasks.set(c.id, task);
    this.deps.logger.info({ connectionId: c.id, schedule: c.schedule, timezone: c.timezone ?? 'UTC' }, 'schedule started');
    return true;
  }

  /** One scheduled run of a connection, or a logged skip when its last run is still going. */
  async tick(connectionId: string): Promise<TickOutcome> {
    if (this.stopped) return 'skipped';
    if (this.running.has(connectionId)) {
      this.deps.logger.warn({ connectionId }, 'scheduled run skipped: the previous run is still going');
      return 'skipped';
    }
    const work = this.deps.runSync({ connectionId });
    this.running.set(connectionId, work.catch(() => undefined));
    try {
      const result = await work;
      this.deps.logger.info({ connectionId, runId: result.run.id, status: result.run.status }, 'scheduled run finished');
      return result.run.status === 'failed' ? 'failed' : 'ran';
    } catch (error) {
      if (error instanceof ConnectionBusyError) {
        this.deps.logger.warn({ connectionId }, `scheduled run skipped: ${error.message}`);
        return 'busy';
      }
      this.deps.logger.error({ connectionId, err: error instanceof Error ? error.message : String(error) }, 'scheduled run could not start');
      return 'failed';
    } finally {
      this.running.delete(connectionId);
    }
  }

  /** Stops every task and waits for runs under way to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const task of this.tasks.values()) await task.stop();
    this.tasks.clear();
    await Promise.all(this.running.values());
  }
}
