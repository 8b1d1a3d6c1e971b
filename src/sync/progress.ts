import type { RunCounts, RunProgress } from '../contract/runs.ts';
import type { Store } from '../store/types.ts';
import type { ProgressEvent } from './types.ts';

/** How often a running run's progress is stored at most, besides at every change of stage. */
export const PROGRESS_EVERY_MS = 2000;

/**
 * Stores where a running run is (stage, object, done of total) in the run's counts, so that the
 * console of any process shows it while the run goes. At most every PROGRESS_EVERY_MS and at
 * each new stage; writes go one after another and never fail the run. `settle` waits for the
 * last one and stops, so the run's final counts (which carry no progress) are written after it.
 */
export class ProgressRecorder {
  private lastAt = 0;
  private lastStage: RunProgress['stage'] | null = null;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly store: Pick<Store, 'updateRun'>,
    private readonly runId: string,
    private readonly counts: RunCounts,
    private readonly clock: () => number = Date.now,
  ) {}

  note(event: ProgressEvent): void {
    if (this.stopped) return;
    const t = this.clock();
    const progress = progressOf(event, new Date(t).toISOString());
    if (progress.stage === this.lastStage && t - this.lastAt < PROGRESS_EVERY_MS) return;
    this.lastAt = t;
    this.lastStage = progress.stage;
    const counts: RunCounts = { ...this.counts, pulled: { ...this.counts.pulled }, progress };
    this.chain = this.chain.then(() => this.store.updateRun(this.runId, { counts })).then(() => undefined, () => undefined);
  }

  async settle(): Promise<void> {
    this.stopped = true;
    await this.chain;
  }
}

export function progressOf(event: ProgressEvent, at: string): RunProgress {
  switch (event.stage) {
    case 'pull': return { stage: 'pull', object: event.object, done: event.pulled, at };
    case 'analyze': return { stage: 'analyze', done: event.accounts, at };
    case 'plan': return { stage: 'plan', done: event.changedAccounts, total: event.changedAccounts + event.unchangedAccounts, at };
    case 'push': return { stage: 'push', done: event.sent, total: event.total, at };
  }
}
