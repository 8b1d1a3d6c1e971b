import type { Cursor, ObjectKind, PullPage } from '../../src/contract/connector.ts';
import { CrmError } from '../../src/contract/errors.ts';
import { NO_DELETE_FLAG, SOBJECT_BY_KIND, toIsoDateTime } from '../../mappings/salesforce.ts';
import { rateFingerprint } from '../../mappings/salesforce-money.ts';
import { SalesforceHttpError, stopError } from './client.ts';
import { createQueryJob, fetchQueryResults, waitForQueryJob } from './bulk-query.ts';
import { buildPage, cursorSchema, doneCursor, lastId, MONEY_STREAMS, planStream, withRates, type PullContext, type StreamCursor, type StreamPlan } from './pull-plan.ts';
import { afterCursorCondition, childResultSchema, isSalesforceId, queryFirst, queryMore, selectSoql, soqlDateTime, soqlString, type QueryResult, type RawRecord } from './query.ts';

export type { PullContext } from './pull-plan.ts';

/**
 * Pulls one stream. A fresh full pull counts the records and reads them through REST (ordered by
 * Id, so it can resume after the last Id) or, above the threshold, a Bulk API 2.0 job read by
 * locator. An incremental pull reads by (SystemModstamp, Id) through queryAll, so deleted rows
 * come back flagged IsDeleted and records that share a timestamp are never skipped.
 */

function restFullSoql(kind: ObjectKind, plan: StreamPlan, afterId: string): string {
  const where = isSalesforceId(afterId) ? `Id > ${soqlString(afterId)}` : undefined;
  // Line items are read under their opportunity so a page never splits an opportunity's items.
  return kind === 'lineItems'
    ? selectSoql({ fields: ['Id', `(${selectSoql({ fields: plan.fields, from: 'OpportunityLineItems' })})`], from: 'Opportunity', ...(where ? { where } : {}), orderBy: 'Id' })
    : selectSoql({ fields: plan.fields, from: SOBJECT_BY_KIND[kind], ...(where ? { where } : {}), orderBy: 'Id' });
}

async function firstRestPage(ctx: PullContext, kind: ObjectKind, plan: StreamPlan, afterId: string): Promise<QueryResult> {
  return queryFirst(ctx.client, restFullSoql(kind, plan, afterId), { batchSize: ctx.options.pageSize }).catch((e: unknown) => {
    throw stopError(`${SOBJECT_BY_KIND[kind]} query`, e);
  });
}

async function* restFull(ctx: PullContext, kind: ObjectKind, afterId: string, startedAt: string, first?: QueryResult): AsyncGenerator<PullPage> {
  const plan = await planStream(ctx, kind);
  let res: QueryResult = first ?? (await firstRestPage(ctx, kind, plan, afterId));
  let last = afterId;
  for (;;) {
    const raws = kind === 'lineItems' ? await childRecords(ctx, res.records) : res.records;
    last = lastId(res.records, last);
    const finished = res.done || !res.nextRecordsUrl;
    const cursor: StreamCursor = finished ? doneCursor(startedAt, '', plan.rates) : withRates({ phase: 'full', afterId: last, startedAt }, plan.rates);
    yield buildPage(kind, raws, plan.settings, cursor, finished);
    if (finished || !res.nextRecordsUrl) return;
    res = await queryMore(ctx.client, res.nextRecordsUrl, ctx.options.pageSize);
  }
}

/** Flattens the OpportunityLineItems of each opportunity, following their own nextRecordsUrl. */
async function childRecords(ctx: PullContext, parents: RawRecord[]): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for (const parent of parents) {
    const parsed = childResultSchema.safeParse(parent['OpportunityLineItems']);
    if (!parsed.success) throw new CrmError('bad-response', `OpportunityLineItems of ${String(parent['Id'])} is not a query result`, { crm: 'salesforce' });
    let child = parsed.data ?? null;
    while (child) {
      out.push(...child.records);
      child = !child.done && child.nextRecordsUrl ? await queryMore(ctx.client, child.nextRecordsUrl) : null;
    }
  }
  return out;
}

async function* bulkFull(ctx: PullContext, kind: ObjectKind, jobId: string | null, locator: string, startedAt: string): AsyncGenerator<PullPage> {
  const plan = await planStream(ctx, kind);
  let job = jobId;
  if (!job) {
    job = await createQueryJob(ctx.client, selectSoql({ fields: plan.fields, from: SOBJECT_BY_KIND[kind] }));
    await waitForQueryJob(ctx.client, job, ctx.options.bulkPoll);
  }
  let next = locator;
  for (;;) {
    const page = await fetchQueryResults(ctx.client, job, next, ctx.options.bulkPageSize);
    const finished = page.nextLocator === null;
    const cursor: StreamCursor = finished
      ? doneCursor(startedAt, '', plan.rates)
      : withRates({ phase: 'bulk', jobId: job, locator: page.nextLocator ?? '', startedAt }, plan.rates);
    yield buildPage(kind, page.records, plan.settings, cursor, finished);
    if (page.nextLocator === null) return;
    next = page.nextLocator;
  }
}

/**
 * With dated rates a line item converts at its opportunity's close date, which can change
 * without the line item changing: the line items of opportunities changed since the cursor are
 * read again (before the stream's own pages, with the cursor as it was, so a stop repeats it).
 */
async function* rereadForChangedOpportunities(ctx: PullContext, plan: StreamPlan, since: string, from: StreamCursor): AsyncGenerator<PullPage> {
  const soql = selectSoql({ fields: plan.fields, from: 'OpportunityLineItem', where: `Opportunity.SystemModstamp >= ${soqlDateTime(since)}`, orderBy: 'Id' });
  let res = await queryFirst(ctx.client, soql, { batchSize: ctx.options.pageSize }).catch((e: unknown) => {
    throw stopError('OpportunityLineItem query for changed opportunities', e);
  });
  for (;;) {
    if (res.records.length > 0) yield buildPage('lineItems', res.records, plan.settings, from, false);
    if (res.done || !res.nextRecordsUrl) return;
    res = await queryMore(ctx.client, res.nextRecordsUrl, ctx.options.pageSize);
  }
}

async function* incremental(ctx: PullContext, kind: ObjectKind, from: Extract<StreamCursor, { phase: 'incremental' }>): AsyncGenerator<PullPage> {
  const plan = await planStream(ctx, kind);
  const limit = ctx.options.pageSize;
  const hasDeleteFlag = !NO_DELETE_FLAG.has(kind);
  const fields = hasDeleteFlag ? [...plan.fields, 'IsDeleted'] : plan.fields;
  // A finished cursor starts a new run: step back by the lookback to catch late commits.
  let ts = from.complete ? new Date(Date.parse(from.ts) - ctx.options.lookbackSeconds * 1000).toISOString() : from.ts;
  let id = from.complete ? '' : from.id;
  if (plan.dated) yield* rereadForChangedOpportunities(ctx, plan, ts, withRates(from, plan.rates));
  let highTs = from.ts;
  let highId = from.id;
  // The org's clock before this stream's first query (an answer of this run): a finished run
  // resumes from there even when it saw no newer stamp, so what it read is not looked back on
  // again and again; the look-back still covers commits that landed late.
  const anchor = from.complete ? ctx.client.serverTime() : null;
  for (;;) {
    const soql = selectSoql({ fields, from: SOBJECT_BY_KIND[kind], where: afterCursorCondition(ts, id), orderBy: 'SystemModstamp, Id', limit });
    let res = await queryFirst(ctx.client, soql, { all: hasDeleteFlag, batchSize: limit }).catch((e: unknown) => {
      throw stopError(`${SOBJECT_BY_KIND[kind]} incremental query`, e);
    });
    let seen = 0;
    for (;;) {
      seen += res.records.length;
      const last = res.records[res.records.length - 1];
      if (last) {
        const stamp = typeof last['SystemModstamp'] === 'string' ? toIsoDateTime(last['SystemModstamp']) : null;
        if (!stamp) throw new CrmError('bad-response', `${SOBJECT_BY_KIND[kind]} ${String(last['Id'])} has no SystemModstamp`, { crm: 'salesforce' });
        ts = stamp;
        id = lastId(res.records, id);
        if (Date.parse(ts) > Date.parse(highTs) || (Date.parse(ts) === Date.parse(highTs) && id > highId)) {
          highTs = ts;
          highId = id;
        }
      }
      const batchDone = res.done || !res.nextRecordsUrl;
      const runDone = batchDone && seen < limit;
      const anchored = anchor !== null && Math.floor(anchor / 1000) * 1000 > Date.parse(highTs) ? new Date(Math.floor(anchor / 1000) * 1000).toISOString() : null;
      const cursor: StreamCursor = runDone
        ? doneCursor(anchored ?? highTs, anchored ? '' : highId, plan.rates)
        : withRates({ phase: 'incremental', ts, id, complete: false }, plan.rates);
      yield buildPage(kind, res.records, plan.settings, cursor, false);
      if (runDone) return;
      if (batchDone || !res.nextRecordsUrl) break;
      res = await queryMore(ctx.client, res.nextRecordsUrl, limit);
    }
  }
}

function parseCursor(ctx: PullContext, kind: ObjectKind, raw: Cursor | undefined): StreamCursor | null {
  // An empty cursor is a stream that read nothing yet (one skipped as unreadable, say).
  if (!raw || Object.keys(raw).length === 0) return null;
  const parsed = cursorSchema.safeParse(raw);
  if (!parsed.success) {
    ctx.logger.warn({ object: kind }, 'saved Salesforce cursor not understood; pulling the stream in full');
    return null;
  }
  return parsed.data;
}

/**
 * A fresh full pull starts with its REST query: the first batch's `totalSize` is the size of the
 * whole stream, and above the threshold the rest is read through Bulk API 2.0 instead (one
 * batch read for nothing, against a COUNT() call on every stream otherwise).
 */
async function* freshFull(ctx: PullContext, kind: ObjectKind): AsyncGenerator<PullPage> {
  const plan = await planStream(ctx, kind);
  // The org's clock, never this machine's: its last answer before the first query (an earlier
  // moment is safe, the next incremental pull reads from there), else the first query's own.
  const before = ctx.client.serverTime();
  const first = await firstRestPage(ctx, kind, plan, '');
  const anchor = before ?? ctx.client.serverTime();
  if (anchor === null) ctx.logger.warn({ object: kind }, "Salesforce sent no Date header: anchoring the stream's cursor on this machine's clock");
  // Salesforce stamps to the whole second: a record changed later in the second the pull started
  // carries a stamp below a millisecond start time, and would be skipped without the floor.
  const startedAt = new Date(Math.floor((anchor ?? ctx.now()) / 1000) * 1000).toISOString();
  if (first.totalSize > ctx.options.bulkReadThreshold && !first.done) {
    ctx.logger.info({ object: kind, total: first.totalSize }, 'large stream: reading it through Bulk API 2.0');
    yield* bulkFull(ctx, kind, null, '', startedAt);
  } else {
    yield* restFull(ctx, kind, '', startedAt, first);
  }
}

/**
 * A money stream whose records were converted with other rates than the org's now (or, in a
 * multi-currency org, with unknown ones) is read again: an incremental stream from the start of
 * time (through queryAll, so deletes since the last run still show), a full pull from its start.
 */
async function ratesNow(ctx: PullContext, kind: ObjectKind, cursor: StreamCursor): Promise<string | null> {
  if (!MONEY_STREAMS.has(kind)) return null;
  const cur = await ctx.currency();
  const now = rateFingerprint(cur);
  if (cursor.rates === now || (cursor.rates === undefined && !cur.multiCurrency)) return null;
  ctx.logger.info({ object: kind }, "the org's currency rates changed since the last pull: reading the stream again to convert its amounts anew");
  return now;
}

const EPOCH = '1970-01-01T00:00:00.000Z';

export async function* pullStream(ctx: PullContext, kind: ObjectKind, mode: 'full' | 'incremental', saved: Cursor | undefined): AsyncGenerator<PullPage> {
  const cursor = parseCursor(ctx, kind, saved);
  const newRates = cursor ? await ratesNow(ctx, kind, cursor) : null;
  if (newRates !== null) {
    if (cursor?.phase === 'incremental' && mode === 'incremental') yield* incremental(ctx, kind, { phase: 'incremental', ts: EPOCH, id: '', complete: false, rates: newRates });
    else yield* freshFull(ctx, kind);
    return;
  }
  if (cursor?.phase === 'incremental') {
    if (mode === 'incremental') yield* incremental(ctx, kind, cursor);
    else yield* freshFull(ctx, kind);
    return;
  }
  if (cursor?.phase === 'full') {
    yield* restFull(ctx, kind, cursor.afterId, cursor.startedAt);
    return;
  }
  if (cursor?.phase === 'bulk') {
    try {
      yield* bulkFull(ctx, kind, cursor.jobId, cursor.locator, cursor.startedAt);
      return;
    } catch (e) {
      // Results of an old job may be gone: start the stream over.
      if (!(e instanceof SalesforceHttpError && (e.status === 404 || e.status === 400))) throw stopError('Bulk API 2.0 results', e);
      ctx.logger.warn({ object: kind, jobId: cursor.jobId }, 'saved Bulk API 2.0 job is gone; pulling the stream again');
    }
  }
  yield* freshFull(ctx, kind);
}
