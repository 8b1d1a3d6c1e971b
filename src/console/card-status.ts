import type { SourceModule } from '../../connectors/shared/source-module.ts';
import type { CardRequest, CardRunStatusResult } from '../server/backend.ts';
import type { ConnectionRecord, RunRecord } from '../store/types.ts';
import { countsForRunStatus, runStatusOf, type NextScheduledRun } from '../sync/run-status.ts';

export interface CardStatusDeps {
  sources: readonly SourceModule[];
  /** The signing secret of each source, by id (the webhook secrets). */
  secrets: Partial<Record<string, string>>;
  now: () => number;
  listConnections: () => Promise<ConnectionRecord[]>;
  listRuns: (connectionId: string) => Promise<RunRecord[]>;
  nextScheduledRun: NextScheduledRun;
}

/** Runs looked at for the newest finished sync; a connection with more dry runs in a row than this reads as never run. */
const RUNS_LOOKED_AT = 50;
export { RUNS_LOOKED_AT };

/**
 * `GET /<source>/card/run-status`: the newest finished sync of the connection the signed
 * request's account belongs to, with the same meaning as Salesforce's KAM_Run__c record.
 */
export async function cardRunStatus(deps: CardStatusDeps, request: CardRequest): Promise<CardRunStatusResult> {
  const source = deps.sources.find((s) => s.kind === request.source);
  const handler = source?.card;
  if (!source || !handler) return { status: 404, error: 'not-found', message: 'No such endpoint.' };
  const secret = deps.secrets[source.kind];
  if (!secret) return { status: 503, error: 'cards-disabled', message: `${source.label} card requests are not configured on this server (no app client secret).` };
  const check = handler.verify(secret, request, deps.now());
  if (!check.ok) return { status: 401, error: 'bad-signature', message: check.message };
  const accountId = handler.accountIdOf(request.query);
  if (accountId === null) return { status: 400, error: 'bad-request', message: 'The signed request names no account.' };
  const connections = (await deps.listConnections()).filter((c) => c.crm === source.kind && source.describe(c).accountId === accountId);
  if (connections.length === 0) return { status: 404, error: 'unknown-account', message: 'No Kamflow connection for this account.' };
  // Several connections of one account: the one that finished a run last speaks for it.
  let best: { connection: ConnectionRecord; run: RunRecord } | null = null;
  for (const connection of connections) {
    const run = (await deps.listRuns(connection.id)).find(countsForRunStatus);
    if (run?.finishedAt && (!best || (best.run.finishedAt ?? '') < run.finishedAt)) best = { connection, run };
  }
  if (!best?.run.finishedAt) return { status: 200, body: { lastRunFinishedAt: null, nextRunDueBy: null } };
  const status = runStatusOf(best.connection, { startedAt: best.run.startedAt, finishedAt: best.run.finishedAt }, deps.nextScheduledRun);
  return { status: 200, body: { lastRunFinishedAt: status.lastRunFinishedAt, nextRunDueBy: status.nextRunDueBy } };
}
