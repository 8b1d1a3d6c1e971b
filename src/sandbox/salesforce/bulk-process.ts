import { parseCsv } from '../csv.ts';
import type { WireRecord } from '../soql/eval.ts';
import type { IngestJob, QueryJob } from './bulk-jobs.ts';
import type { SfContext } from './context.ts';
import { formatDatetime } from './values.ts';
import { insertBlocker, prepareValues, updateBlocker } from './writes.ts';

/** Bulk API 2.0 job processing: CSV flattening of query rows, job info shapes, ingest rows. */

/** Flattens a REST record into Bulk CSV columns (`Account.Name` for parent fields). */
export function flatten(rec: WireRecord, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  for (const [key, value] of Object.entries(rec)) {
    if (key === 'attributes') continue;
    const name = prefix + key;
    if (value && typeof value === 'object') flatten(value as WireRecord, `${name}.`, out);
    else if (value === null || value === undefined) out[name] = '';
    else if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T.*\+0000$/.test(value)) out[name] = value.replace('+0000', 'Z');
    else out[name] = String(value);
  }
  return out;
}

export function queryJobInfo(ctx: SfContext, job: QueryJob): Record<string, unknown> {
  return {
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: ctx.store.integrationUserId,
    createdDate: formatDatetime(job.createdDate),
    systemModstamp: formatDatetime(job.createdDate),
    state: job.state,
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: Number(job.apiVersion),
    lineEnding: 'LF',
    columnDelimiter: 'COMMA',
    numberRecordsProcessed: job.state === 'JobComplete' ? job.rows.length : 0,
    retries: 0,
    totalProcessingTime: 0,
  };
}

export function ingestJobInfo(ctx: SfContext, job: IngestJob, version: string): Record<string, unknown> {
  return {
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: ctx.store.integrationUserId,
    createdDate: formatDatetime(job.createdDate),
    systemModstamp: formatDatetime(job.createdDate),
    state: job.state,
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: Number(job.apiVersion),
    contentUrl: `services/data/v${version}/jobs/ingest/${job.id}/batches`,
    lineEnding: 'LF',
    columnDelimiter: 'COMMA',
    numberRecordsProcessed: job.successful.length + job.failed.length,
    numberRecordsFailed: job.failed.length,
    retries: 0,
    totalProcessingTime: 0,
    ...(job.errorMessage ? { errorMessage: job.errorMessage } : {}),
  };
}

/** Applies an uploaded CSV row by row; a bad column fails the whole job, as in the real API. */
export function processIngest(ctx: SfContext, job: IngestJob): void {
  const rows = job.upload.trim() === '' ? [] : parseCsv(job.upload);
  const header = rows.shift() ?? [];
  job.header = header;
  for (const col of header) {
    if (!ctx.store.field(job.object, col)) {
      job.state = 'Failed';
      job.errorMessage = `InvalidBatch : Field name not found : ${col}`;
      return;
    }
  }
  const idCol = header.findIndex((h) => h.toLowerCase() === 'id');
  for (const row of rows) {
    const values: Record<string, string> = {};
    header.forEach((h, i) => {
      if (i !== idCol) values[h] = row[i] ?? '';
    });
    const id = idCol >= 0 ? (row[idCol] ?? '') : '';
    const fail = (code: string, message: string): void => {
      job.failed.push([id, `${code}:${message}:--`, ...row]);
    };
    if (job.operation === 'insert') {
      const prepared = prepareValues(ctx, job.object, values, 'csv', 'insert');
      const blocker = prepared.ok ? insertBlocker(ctx, job.object, prepared.values) : prepared.error;
      if (blocker || !prepared.ok) {
        fail(blocker?.statusCode ?? 'UNKNOWN_EXCEPTION', blocker?.message ?? 'insert failed');
        continue;
      }
      const newId = ctx.store.insert(job.object, prepared.values);
      job.successful.push([newId, 'true', ...row]);
      continue;
    }
    const blocker = updateBlocker(ctx, job.object, id);
    if (blocker) {
      fail(blocker.statusCode, blocker.message);
      continue;
    }
    if (job.operation === 'delete') {
      ctx.store.delete(job.object, id);
      job.successful.push([id, 'false', ...row]);
      continue;
    }
    const prepared = prepareValues(ctx, job.object, values, 'csv', 'update');
    if (!prepared.ok) {
      fail(prepared.error.statusCode, prepared.error.message);
      continue;
    }
    ctx.store.update(job.object, id, prepared.values);
    job.successful.push([id, 'false', ...row]);
  }
  job.state = 'JobComplete';
}

