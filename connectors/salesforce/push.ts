import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Logger } from '../../src/log.ts';
import type { OutputFieldKey } from '../../src/model/output-fields.ts';
import type { AccountWrite, WriteOutcome, WritePlanForConnector } from '../../src/contract/connector.ts';
import { CrmError } from '../../src/contract/errors.ts';
import { SALESFORCE_OUTPUT_FIELDS, salesforceOutputField, toSalesforceValue, type WriteValue } from '../../mappings/salesforce.ts';
import { bulkUpdateAccounts, type IngestRow } from './bulk-ingest.ts';
import { SalesforceHttpError, type SalesforceClient } from './client.ts';
import type { SalesforceOptions } from './options.ts';
import { classifyWriteError, kindForStop } from './write-errors.ts';

/**
 * Carries out a write plan: sObject Collections PATCH in chunks of 200 with allOrNone false, or
 * one Bulk API 2.0 job above the threshold. Records that fail with a transient error are sent
 * again with backoff; every account gets exactly one outcome, unless the run must stop before
 * the org answered for any record (then the CrmError is thrown).
 */

export const COLLECTION_LIMIT = 200;

export interface PushContext {
  client: SalesforceClient;
  options: SalesforceOptions;
  logger: Logger;
}

const saveResults = z.array(
  z.object({
    id: z.string().nullable().optional(),
    success: z.boolean(),
    errors: z
      .array(z.object({ statusCode: z.string(), message: z.string(), fields: z.array(z.string()).optional() }))
      .default([]),
  }),
);

type Prepared = IngestRow;

function prepare(write: AccountWrite): { row: Prepared } | { outcome: WriteOutcome } {
  const values: Record<string, WriteValue> = {};
  for (const [key, value] of Object.entries(write.fields) as [OutputFieldKey, WriteValue | undefined][]) {
    if (value === undefined) continue;
    const converted = toSalesforceValue(key, value);
    if (!converted.ok) return { outcome: { accountId: write.accountId, ok: false, errorKind: 'bad-data', code: 'INVALID_VALUE', message: converted.message } };
    values[salesforceOutputField(key).apiName] = converted.value;
  }
  return { row: { id: write.accountId, values } };
}

async function sendChunk(ctx: PushContext, rows: Prepared[]): Promise<WriteOutcome[]> {
  const body = JSON.stringify({
    allOrNone: false,
    records: rows.map((r) => ({ attributes: { type: 'Account' }, id: r.id, ...r.values })),
  });
  try {
    const res = await ctx.client.json(
      'collectionsUpdate',
      { method: 'PATCH', path: `${ctx.client.versionPath}/composite/sobjects`, headers: { 'Content-Type': 'application/json' }, body },
      saveResults,
    );
    if (res.length !== rows.length) {
      throw new CrmError('bad-response', `sObject Collections gave ${res.length} results for ${rows.length} records`, { crm: 'salesforce' });
    }
    // Results come back in request order.
    return rows.map((r, i) => {
      const result = res[i];
      if (result?.success) return { accountId: r.id, ok: true };
      const err = result?.errors[0];
      const code = err?.statusCode ?? 'UNKNOWN';
      const fields = err?.fields && err.fields.length > 0 ? ` (${err.fields.join(', ')})` : '';
      return { accountId: r.id, ok: false, errorKind: classifyWriteError(code), code, message: `${err?.message ?? 'failed'}${fields}` };
    });
  } catch (e) {
    // A whole-request rejection (e.g. 400 malformed) belongs to every record in it.
    if (e instanceof SalesforceHttpError) {
      return rows.map((r) => ({ accountId: r.id, ok: false, errorKind: classifyWriteError(e.errorCode, e.status), code: e.errorCode, message: e.message }));
    }
    throw e;
  }
}

/** Records each chunk's outcomes as it goes, so a run stopped midway keeps what was confirmed. */
async function sendCollections(ctx: PushContext, rows: Prepared[], outcomes: Map<string, WriteOutcome>): Promise<void> {
  for (let i = 0; i < rows.length; i += COLLECTION_LIMIT) {
    for (const o of await sendChunk(ctx, rows.slice(i, i + COLLECTION_LIMIT))) outcomes.set(o.accountId, o);
  }
}

/** Sends again, with growing pauses, the records whose last outcome was transient. */
async function retryTransient(ctx: PushContext, rows: Prepared[], outcomes: Map<string, WriteOutcome>): Promise<void> {
  const { minDelayMs, maxDelayMs } = ctx.options.retry;
  for (let attempt = 1; attempt <= ctx.options.recordRetries; attempt++) {
    const again = rows.filter((r) => outcomes.get(r.id)?.errorKind === 'transient');
    if (again.length === 0) return;
    const delay = Math.min(maxDelayMs, minDelayMs * 2 ** (attempt - 1));
    ctx.logger.warn({ records: again.length, attempt, delay }, 'retrying Salesforce records that failed with a transient error');
    await sleep(delay);
    await sendCollections(ctx, again, outcomes);
  }
}

function columnsOf(rows: Prepared[]): string[] {
  const used = new Set(rows.flatMap((r) => Object.keys(r.values)));
  return SALESFORCE_OUTPUT_FIELDS.map((f) => f.apiName).filter((n) => used.has(n));
}

export async function pushWrites(ctx: PushContext, plan: WritePlanForConnector): Promise<WriteOutcome[]> {
  const outcomes = new Map<string, WriteOutcome>();
  const rows: Prepared[] = [];
  for (const write of plan.writes) {
    const p = prepare(write);
    if ('outcome' in p) outcomes.set(write.accountId, p.outcome);
    else if (Object.keys(p.row.values).length === 0) outcomes.set(write.accountId, { accountId: write.accountId, ok: true });
    else rows.push(p.row);
  }
  try {
    if (rows.length > ctx.options.bulkWriteThreshold) {
      for (const o of await bulkUpdateAccounts(ctx.client, rows, columnsOf(rows), ctx.options.bulkPoll)) outcomes.set(o.accountId, o);
    } else {
      await sendCollections(ctx, rows, outcomes);
    }
    await retryTransient(ctx, rows, outcomes);
  } catch (e) {
    if (!(e instanceof CrmError)) throw e;
    ctx.logger.warn({ kind: e.kind, code: e.details.code }, 'Salesforce write stopped early');
    // The run cannot go on (limit, auth, outage). Before the org answered for any record, the
    // error itself goes to the caller, which stops the run (status stopped-by-limit or failed)
    // instead of sending its next chunks into the same wall; nothing confirmed is lost.
    if (!rows.some((r) => outcomes.has(r.id))) throw e;
    // After some answers, what was not confirmed is reported, not lost; the next call stops.
    for (const r of rows) {
      const prev = outcomes.get(r.id);
      if (prev && (prev.ok || prev.errorKind !== 'transient')) continue;
      outcomes.set(r.id, { accountId: r.id, ok: false, errorKind: kindForStop(e), code: e.details.code ?? e.kind.toUpperCase(), message: e.message });
    }
  }
  return plan.writes.map((w) => outcomes.get(w.accountId) ?? { accountId: w.accountId, ok: false, errorKind: 'transient', code: 'NOT_SENT', message: 'not sent' });
}
