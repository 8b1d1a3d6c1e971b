import type { Logger } from '../../src/log.ts';
import { oneOutcomePerWrite, type WriteErrorKind, type WriteOutcome } from '../../src/contract/connector.ts';
import { CrmError, OutcomeUnknownError } from '../../src/contract/errors.ts';
import { backoffDelay } from './call-policy.ts';
import type { Sleep } from './sleep.ts';

/**
 * One batch-write policy for every connector: rows go out in batches; every row gets exactly
 * one outcome; rows whose write failed with a transient error (a locked record) are sent again,
 * with growing waits; a batch refused as a whole for one bad record is halved until that record
 * stands alone; a call error that stops the run (limit, credentials, setup, outage) is thrown
 * when nothing was answered yet (the run stops and resumes, nothing is lost), and otherwise ends
 * the push with every unanswered row reported, so what was confirmed is kept.
 */

/** Write error codes of one source, by how they are treated. */
export interface WriteErrorCodes {
  transient: ReadonlySet<string>;
  config: ReadonlySet<string>;
}

/** How a failed write is treated: sent again, reported as bad data, or as a setup problem. */
export function classifyWriteFailure(failure: { status?: number | undefined; codes: readonly string[] }, table: WriteErrorCodes): WriteErrorKind {
  const codes = failure.codes.map((c) => c.toUpperCase());
  const status = failure.status;
  if (codes.some((c) => table.transient.has(c)) || status === 429 || status === 423 || (status !== undefined && status >= 500)) return 'transient';
  if (codes.some((c) => table.config.has(c)) || status === 401 || status === 403) return 'config';
  return 'bad-data';
}

/** The outcome kind of records a stopped push could not send. */
export function kindForStop(e: CrmError): WriteErrorKind {
  return e.kind === 'api-limit' || e.kind === 'unavailable' ? 'transient' : 'config';
}

export interface BatchSender<R> {
  batchSize: number;
  /** One call: outcomes for the rows it answered (the rest count as unanswered). A CrmError: the call failed as a whole. */
  send: (batch: R[]) => Promise<WriteOutcome[]>;
}

export interface BatchWrite<R extends { id: string }> {
  rows: readonly R[];
  first: BatchSender<R>;
  /** How records are sent again after a transient failure; `first` by default (e.g. REST after a bulk job). */
  again?: BatchSender<R>;
  /** The CRM refused the whole batch for one record in it (a 400 for one bad input, a 423 for one locked record). */
  splitOn?: (e: CrmError) => boolean;
  /** The outcome kind of a batch that failed as a whole without stopping the run (e.g. an answer of the wrong shape). */
  classify: (e: CrmError) => WriteErrorKind;
  retry: { recordRetries: number; minDelayMs: number; maxDelayMs: number };
  sleep: Sleep;
  logger: Logger;
}

const STOPS = new Set(['api-limit', 'auth', 'config', 'unavailable']);

/** Writes the rows; one outcome per row, in row order. */
export async function writeInBatches<R extends { id: string }>(w: BatchWrite<R>): Promise<WriteOutcome[]> {
  const outcomes = new Map<string, WriteOutcome>();
  let answered = false;
  let stopped: { kind: WriteErrorKind; code: string; message: string } | null = null;

  const sendBatch = async (batch: R[], sender: BatchSender<R>): Promise<void> => {
    if (stopped) {
      const st = stopped;
      for (const r of batch) outcomes.set(r.id, { accountId: r.id, ok: false, errorKind: st.kind, code: st.code, message: st.message });
      return;
    }
    try {
      const got = oneOutcomePerWrite(batch.map((r) => r.id), await sender.send(batch));
      for (const o of got) outcomes.set(o.accountId, o);
      answered = true;
    } catch (e) {
      if (!(e instanceof CrmError)) throw e;
      const code = e.details.code ?? (e.details.status !== undefined ? `HTTP_${e.details.status}` : e.kind.toUpperCase());
      const recordLevel = w.splitOn?.(e) === true;
      if (recordLevel && batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        await sendBatch(batch.slice(0, half), sender);
        await sendBatch(batch.slice(half), sender);
        return;
      }
      // Refused for this one record (bad, or locked): its outcome, not the end of the push.
      if (STOPS.has(e.kind) && !recordLevel) {
        if (!answered) throw e;
        const kind = kindForStop(e);
        // The answer of this batch was lost: its rows may have been applied, so they are neither
        // failed nor sent again; the rows after it were not sent.
        const batchKind = e instanceof OutcomeUnknownError ? 'unknown' : kind;
        for (const r of batch) outcomes.set(r.id, { accountId: r.id, ok: false, errorKind: batchKind, code, message: e.message });
        stopped = { kind, code, message: `not sent: ${e.message}` };
        w.logger.warn({ kind: e.kind, code }, 'write-back stopped');
        return;
      }
      for (const r of batch) outcomes.set(r.id, { accountId: r.id, ok: false, errorKind: w.classify(e), code, message: e.message });
      answered = true;
    }
  };

  const sendAll = async (rows: readonly R[], sender: BatchSender<R>): Promise<void> => {
    for (let i = 0; i < rows.length; i += sender.batchSize) await sendBatch(rows.slice(i, i + sender.batchSize), sender);
  };

  await sendAll(w.rows, w.first);
  for (let attempt = 1; attempt <= w.retry.recordRetries && !stopped; attempt++) {
    const again = w.rows.filter((r) => outcomes.get(r.id)?.errorKind === 'transient');
    if (again.length === 0) break;
    const delay = backoffDelay(attempt, w.retry);
    w.logger.warn({ records: again.length, attempt, delay }, 'retrying records that failed with a transient error');
    await w.sleep(delay);
    try {
      await sendAll(again, w.again ?? w.first);
    } catch (e) {
      // Thrown only before any answer, which cannot be after the first round: kept for safety.
      if (!(e instanceof CrmError)) throw e;
      break;
    }
  }
  return oneOutcomePerWrite(w.rows.map((r) => r.id), [...outcomes.values()], (id) => ({
    accountId: id, ok: false, errorKind: 'transient', code: 'NOT_SENT', message: 'not sent',
  }));
}
