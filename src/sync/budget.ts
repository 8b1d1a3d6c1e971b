import { CrmError } from '../contract/errors.ts';
import type { Connector } from '../contract/connector.ts';
import type { ApiBudgetDay, ConnectionRecord, Store } from '../store/types.ts';

/** Share of an org's daily allowance Kamflow leaves to everyone else unless the connection says otherwise. */
export const DEFAULT_API_RESERVE = 0.2;

export function reserveOf(connection: ConnectionRecord): number {
  const r = connection.options['apiReserve'];
  return typeof r === 'number' && r >= 0 && r < 1 ? r : DEFAULT_API_RESERVE;
}

/** The org a connection's calls count against: the source module's account id when it has one. */
export function defaultOrgOf(connection: ConnectionRecord): string {
  return `${connection.crm}:${connection.baseUrl}`;
}

const dayOf = (d: Date): string => d.toISOString().slice(0, 10);

function pastReserve(day: ApiBudgetDay | null, reserve: number): boolean {
  if (!day || day.reportedUsed === null || day.reportedMax === null || day.reportedMax <= 0) return false;
  return day.reportedUsed >= Math.floor(day.reportedMax * (1 - reserve));
}

/**
 * One run's share of its org's daily API budget, kept in the store so that every worker sees
 * every other's calls and the CRM's latest reading of the whole org. Flushed at every
 * checkpoint; a reading past the reserve (from this run or any other) stops the run resumably.
 */
export class BudgetMeter {
  private counted = 0;

  constructor(
    private readonly store: Store,
    private readonly org: string,
    private readonly reserve: number,
    private readonly now: () => Date,
  ) {}

  /** Refuses to start a run in an org whose shared reading is already past the reserve. */
  async checkBeforeStart(): Promise<void> {
    const day = await this.store.apiBudget(this.org, dayOf(this.now()));
    if (pastReserve(day, this.reserve)) throw this.stop(day);
  }

  /** Adds the calls made since the last flush and the connector's reading; stops past the reserve. */
  async flush(connector: Connector | null): Promise<ApiBudgetDay | null> {
    if (!connector) return null;
    const total = Object.values(connector.usage()).reduce((a, b) => a + b, 0);
    const calls = Math.max(0, total - this.counted);
    const reading = connector.dailyAllowance?.() ?? null;
    if (calls === 0 && reading === null) return null;
    this.counted = total;
    const day = await this.store.addApiUsage(this.org, dayOf(this.now()), calls, reading, this.now().toISOString());
    if (pastReserve(day, this.reserve)) throw this.stop(day);
    return day;
  }

  private stop(day: ApiBudgetDay | null): CrmError {
    const pct = Math.round(this.reserve * 100);
    return new CrmError('api-limit', `stopped before the org's API reserve: ${day?.reportedUsed ?? '?'} of ${day?.reportedMax ?? '?'} daily API calls used by all clients (Kamflow's workers made ${day?.used ?? 0} of them today), ${pct}% kept free; the next run resumes from the checkpoints`, { code: 'API_RESERVE' });
  }
}
