import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { toCsv } from '../csv.ts';
import { parseSoql } from '../soql/parser.ts';
import { SfHttpError, sendSfError, type SfContext } from './context.ts';
import type { IngestJob, QueryJob } from './bulk-jobs.ts';
import { sfVersion } from './middleware.ts';
import { flatten, ingestJobInfo, processIngest, queryJobInfo } from './bulk-process.ts';
import { checkSoqlLength, runQuery } from './routes-query.ts';

const queryJobBody = z.object({
  operation: z.enum(['query', 'queryAll']),
  query: z.string().min(1),
  contentType: z.literal('CSV').optional(),
  columnDelimiter: z.literal('COMMA').optional(),
  lineEnding: z.literal('LF').optional(),
});

const ingestJobBody = z.object({
  object: z.string().min(1),
  operation: z.enum(['insert', 'update', 'delete']),
  contentType: z.literal('CSV').optional(),
  columnDelimiter: z.literal('COMMA').optional(),
  lineEnding: z.enum(['LF', 'CRLF']).optional(),
  externalIdFieldName: z.string().optional(),
});

const stateBody = z.object({ state: z.enum(['UploadComplete', 'Aborted']) });

export function salesforceBulkRoutes(ctx: SfContext): Router {
  const r = express.Router({ mergeParams: true });
  const csvBody = express.text({ type: ['text/csv', 'text/plain'], limit: '150mb' });

  r.post('/jobs/query', (req: Request, res: Response) => {
    const body = queryJobBody.safeParse(req.body);
    if (!body.success) throw new SfHttpError(400, 'INVALIDJOB', `Invalid job: ${body.error.issues.map((i) => i.path.join('.') + ' ' + i.message).join('; ')}`);
    checkSoqlLength(body.data.query);
    const parsed = parseSoql(body.data.query);
    if (parsed.select.some((s) => s.kind === 'subquery')) {
      throw new SfHttpError(400, 'INVALIDJOB', 'Bulk API 2.0 query does not support nested queries (relationship subqueries)');
    }
    const version = sfVersion(req);
    const records = runQuery(ctx, body.data.query, body.data.operation === 'queryAll', version);
    // Columns follow the query's select list; an empty lookup leaves its parent's columns blank.
    const header = parsed.select.map((s) => (s.kind === 'subquery' ? '' : s.path.join('.')));
    const flat = records.map((rec) => {
      const byLower = new Map(Object.entries(flatten(rec)).map(([k, v]) => [k.toLowerCase(), v]));
      return Object.fromEntries(header.map((h) => [h, byLower.get(h.toLowerCase()) ?? '']));
    });
    const job: QueryJob = {
      kind: 'query',
      id: ctx.ids.salesforce('BulkJob'),
      operation: body.data.operation,
      object: parsed.from,
      query: body.data.query,
      state: 'UploadComplete',
      apiVersion: version,
      createdDate: ctx.clock.peek(),
      polls: 0,
      header,
      rows: flat.map((row) => header.map((h) => row[h] ?? '')),
    };
    ctx.bulk.add(job);
    res.json(queryJobInfo(ctx, job));
  });

  r.get('/jobs/query/:id', (req: Request, res: Response) => {
    const job = ctx.bulk.query(String(req.params['id']));
    if (!job) {
      sendSfError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
      return;
    }
    job.polls += 1;
    if (job.state === 'UploadComplete' || job.state === 'InProgress') job.state = 'JobComplete';
    res.json(queryJobInfo(ctx, job));
  });

  r.get('/jobs/query/:id/results', (req: Request, res: Response) => {
    const job = ctx.bulk.query(String(req.params['id']));
    if (!job) {
      sendSfError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
      return;
    }
    if (job.apiVersion !== sfVersion(req)) {
      sendSfError(res, 409, 'INVALIDJOBSTATE', 'Results must be retrieved with the API version the job was created with');
      return;
    }
    if (job.state !== 'JobComplete') {
      sendSfError(res, 400, 'INVALIDJOBSTATE', `Job is not complete: ${job.state}`);
      return;
    }
    const locator = typeof req.query['locator'] === 'string' ? req.query['locator'] : '';
    const start = locator === '' ? 0 : Number(Buffer.from(locator, 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0 || start > job.rows.length) {
      sendSfError(res, 400, 'INVALID_LOCATOR', 'Invalid locator');
      return;
    }
    const max = Number(req.query['maxRecords'] ?? ctx.bulkQueryPageSize);
    const size = Number.isInteger(max) && max > 0 ? max : ctx.bulkQueryPageSize;
    const slice = job.rows.slice(start, start + size);
    const end = start + slice.length;
    res.setHeader('Sforce-NumberOfRecords', String(slice.length));
    res.setHeader('Sforce-Locator', end < job.rows.length ? Buffer.from(String(end)).toString('base64url') : 'null');
    res.type('text/csv').send(toCsv(job.header, slice));
  });

  const abortOrDelete = (req: Request, res: Response): void => {
    const job = ctx.bulk.jobs.get(String(req.params['id']));
    if (!job) {
      sendSfError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
      return;
    }
    if (req.method === 'DELETE') {
      ctx.bulk.jobs.delete(job.id);
      res.status(204).end();
      return;
    }
    const body = stateBody.safeParse(req.body);
    if (!body.success) throw new SfHttpError(400, 'INVALIDJOBSTATE', 'state must be UploadComplete or Aborted');
    // Job states (Bulk API 2.0 Developer Guide, Job States): Open -> UploadComplete -> InProgress
    // -> JobComplete | Failed, or Aborted by its creator. A finished job changes no more, and an
    // ingest job takes data and is closed only while Open ("after a job is closed or aborted, you
    // can't add more job data").
    if (job.kind === 'query') {
      if (body.data.state !== 'Aborted') throw new SfHttpError(400, 'INVALIDJOBSTATE', 'A query job can only be aborted');
      if (['JobComplete', 'Failed', 'Aborted'].includes(job.state)) throw new SfHttpError(400, 'INVALIDJOBSTATE', `Job is in state ${job.state}: it cannot be aborted`);
      job.state = 'Aborted';
      res.json(queryJobInfo(ctx, job));
      return;
    }
    if (job.state !== 'Open') throw new SfHttpError(400, 'INVALIDJOBSTATE', `Job is in state ${job.state}`);
    if (body.data.state === 'Aborted') job.state = 'Aborted';
    else {
      processIngest(ctx, job);
      job.finalState = job.state;
      job.state = 'UploadComplete';
    }
    res.json(ingestJobInfo(ctx, job, sfVersion(req)));
  };
  r.patch('/jobs/query/:id', abortOrDelete);
  r.delete('/jobs/query/:id', abortOrDelete);
  r.patch('/jobs/ingest/:id', abortOrDelete);
  r.delete('/jobs/ingest/:id', abortOrDelete);

  r.post('/jobs/ingest', (req: Request, res: Response) => {
    const body = ingestJobBody.safeParse(req.body);
    if (!body.success) throw new SfHttpError(400, 'INVALIDJOB', `Invalid job: ${body.error.issues.map((i) => i.path.join('.') + ' ' + i.message).join('; ')}`);
    const obj = ctx.store.object(body.data.object);
    if (!obj) throw new SfHttpError(400, 'INVALIDJOB', `Unable to find object: ${body.data.object}`);
    const job: IngestJob = {
      kind: 'ingest',
      id: ctx.ids.salesforce('BulkJob'),
      operation: body.data.operation,
      object: obj.name,
      state: 'Open',
      apiVersion: sfVersion(req),
      createdDate: ctx.clock.peek(),
      polls: 0,
      upload: '',
      header: [],
      successful: [],
      failed: [],
      errorMessage: null,
      finalState: null,
    };
    ctx.bulk.add(job);
    res.json(ingestJobInfo(ctx, job, sfVersion(req)));
  });

  r.put('/jobs/ingest/:id/batches', csvBody, (req: Request, res: Response) => {
    const job = ctx.bulk.ingest(String(req.params['id']));
    if (!job) {
      sendSfError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
      return;
    }
    if (job.state !== 'Open') throw new SfHttpError(400, 'INVALIDJOBSTATE', `Job is in state ${job.state}`);
    if (typeof req.body !== 'string') throw new SfHttpError(400, 'INVALIDBATCH', 'Expected text/csv content');
    job.upload += job.upload === '' ? req.body : req.body.replace(/^[^\n]*\n/, '');
    res.status(201).end();
  });

  // Get All Jobs (Bulk API 2.0 reference, "Get Information About All Ingest Jobs"): up to 1000
  // jobs a page with a nextRecordsUrl carrying a queryLocator until done; jobType filters by
  // BigObjectIngest, Classic or V2Ingest, anything else is refused.
  r.get('/jobs/ingest', (req: Request, res: Response) => {
    const jobType = req.query['jobType'];
    if (jobType !== undefined && !['BigObjectIngest', 'Classic', 'V2Ingest'].includes(String(jobType))) {
      throw new SfHttpError(400, 'INVALIDJOB', `Invalid jobType: ${String(jobType)}`);
    }
    const all = jobType === undefined || jobType === 'V2Ingest' ? [...ctx.bulk.jobs.values()].filter((j): j is IngestJob => j.kind === 'ingest') : [];
    const locator = req.query['queryLocator'];
    const start = locator === undefined ? 0 : Number(Buffer.from(String(locator), 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0 || start > all.length) throw new SfHttpError(400, 'INVALID_LOCATOR', 'Invalid queryLocator');
    const end = Math.min(all.length, start + 1000);
    const version = sfVersion(req);
    res.json({
      done: end >= all.length,
      records: all.slice(start, end).map((j) => ingestJobInfo(ctx, j, version)),
      nextRecordsUrl: end >= all.length ? null : `/services/data/v${version}/jobs/ingest?${jobType === undefined ? '' : `jobType=${String(jobType)}&`}queryLocator=${Buffer.from(String(end)).toString('base64url')}`,
    });
  });

  r.get('/jobs/ingest/:id', (req: Request, res: Response) => {
    const job = ctx.bulk.ingest(String(req.params['id']));
    if (!job) {
      sendSfError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
      return;
    }
    job.polls += 1;
    if (job.state === 'UploadComplete' && job.finalState) job.state = job.finalState;
    res.json(ingestJobInfo(ctx, job, sfVersion(req)));
  });

  const results = (which: 'successful' | 'failed' | 'unprocessed') => (req: Request, res: Response): void => {
    const job = ctx.bulk.ingest(String(req.params['id']));
    if (!job) {
      sendSfError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
      return;
    }
    // Record results exist once processing ended; a job still open or queued has none yet.
    if (!['JobComplete', 'Failed', 'Aborted'].includes(job.state)) {
      sendSfError(res, 400, 'INVALIDJOBSTATE', `Job is in state ${job.state}: results are available once it is complete`);
      return;
    }
    const header =
      which === 'successful' ? ['sf__Id', 'sf__Created', ...job.header] : which === 'failed' ? ['sf__Id', 'sf__Error', ...job.header] : job.header;
    const rows = which === 'successful' ? job.successful : which === 'failed' ? job.failed : [];
    res.type('text/csv').send(toCsv(header, rows));
  };
  r.get('/jobs/ingest/:id/successfulResults', results('successful'));
  r.get('/jobs/ingest/:id/failedResults', results('failed'));
  r.get('/jobs/ingest/:id/unprocessedrecords', results('unprocessed'));
  return r;
}
