import { z } from 'zod';
import type { Logger } from '../../src/log.ts';
import type { OutputFieldKey } from '../../src/model/output-fields.ts';
import { oneOutcomePerWrite, type AccountWrite, type PushHooks, type WriteOutcome, type WritePlanForConnector } from '../../src/contract/connector.ts';
import { CrmError } from '../../src/contract/errors.ts';
import { writeInBatches, type BatchSender } from '../shared/batch-write.ts';
import { SALESFORCE_OUTPUT_FIELDS, salesforceOutputField, toSalesforceValue, type WriteValue } from '../../mappings/salesforce.ts';
import { bulkUpdateAccounts, type IngestRow } from './bulk-ingest.ts';
import { SalesforceHttpError, type SalesforceClient } from './client.ts';
import type { SalesforceOptions } from './options.ts';
import { classifyWriteError } from './write-errors.ts';

/**
 * Carries out a write plan under the shared batch-write policy: sObject Collections PATCH in
 * chunks of 200 with allOrNone false, or one Bulk API 2.0 job above the threshold. Records that
 * fail with a transient error are sent again (through Collections); every account gets exactly
 * one outcome, unless the run must stop before the org answered for any record (then the
 * CrmError is thrown).
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
      { method: 'PATCH', path: `${ctx.client.versionPath}/composite/sobjects`, headers: { 'Content-Type': 'application/json' }, body, applies: true },
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

function columnsOf(rows: Prepared[]): string[] {
  const used = new Set(rows.flatMap((r) => Object.keys(r.values)));
  return SALESFORCE_OUTPUT_FIELDS.map((f) => f.apiName).filter((n) => used.has(n));
}

export async function pushWrites(ctx: PushContext, plan: WritePlanForConnector, hooks: PushHooks = {}): Promise<WriteOutcome[]> {
  const ready: WriteOutcome[] = [];
  const rows: Prepared[] = [];
  for (const write of plan.writes) {
    const p = prepare(write);
    if ('outcome' in p) ready.push(p.outcome);
    else if (Object.keys(p.row.values).length === 0) ready.push({ accountId: write.accountId, ok: true });
    else rows.push(p.row);
  }
  const collections: BatchSender<Prepared> = { batchSize: COLLECTION_LIMIT, send: (batch) => sendChunk(ctx, batch) };
  const bulk: BatchSender<Prepared> = {
    batchSize: Math.max(1, rows.length),
    send: (batch) => bulkUpdateAccounts(ctx.client, batch, columnsOf(batch), ctx.options.bulkPoll, hooks),
  };
  const written = await writeInBatches({
    rows,
    first: rows.length > ctx.options.bulkWriteThreshold ? bulk : collections,
    again: collections,
    classify: (e: CrmError) => classifyWriteError(e.details.code ?? 'UNKNOWN', e.details.status),
    retry: ctx.options.retry,
    sleep: ctx.client.sleep,
    logger: ctx.logger,
  });
  return oneOutcomePerWrite(plan.writes.map((w) => w.accountId), [...ready, ...written]);
}
