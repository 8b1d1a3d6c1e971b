import express, { type Request, type Response, type Router } from 'express';
import { executeSoql, type WireRecord } from '../soql/eval.ts';
import { parseSoql } from '../soql/parser.ts';
import { SfHttpError, sendSfError, type SfContext } from './context.ts';
import { sfVersion } from './middleware.ts';

const CHILD_PAGE = 200;

/**
 * "Maximum length of SOQL statements: by default, 100,000 characters" (Salesforce Developer
 * Limits, SOQL and SOSL Limits for Search Queries); over REST "the maximum length for the
 * combined URI and headers is 16,384 bytes ... If the URI itself exceeds this limit, the request
 * returns a 414 URI Too Long error" (Salesforce Help 000386264). Both are refused.
 */
export const MAX_SOQL_LENGTH = 100_000;
const MAX_URI_BYTES = 16_384;

export function checkSoqlLength(soql: string): void {
  if (soql.length > MAX_SOQL_LENGTH) {
    throw new SfHttpError(400, 'MALFORMED_QUERY', `SOQL statements cannot be longer than ${MAX_SOQL_LENGTH} characters (this one has ${soql.length})`);
  }
}

/** `Sforce-Query-Options: batchSize=N`, clamped to 200..2000 (default 2000). */
export function batchSizeOf(req: Request): number {
  const header = req.headers['sforce-query-options'];
  const m = typeof header === 'string' ? /batchSize\s*=\s*(\d+)/i.exec(header) : null;
  if (!m) return 2000;
  return Math.min(2000, Math.max(200, Number(m[1])));
}

/** Runs SOQL with child relationship results paged like the real API. */
export function runQuery(ctx: SfContext, soql: string, includeDeleted: boolean, version: string): WireRecord[] {
  const parsed = parseSoql(soql);
  return executeSoql(parsed, {
    store: ctx.store,
    includeDeleted,
    version,
    pageChildren: (_obj, records) => {
      if (records.length <= CHILD_PAGE) return { totalSize: records.length, done: true, records };
      return ctx.cursors.first(records, CHILD_PAGE, version, false);
    },
  });
}

export function salesforceQueryRoutes(ctx: SfContext): Router {
  const r = express.Router({ mergeParams: true });
  const handle = (includeDeleted: boolean) => (req: Request, res: Response): void => {
    if (Buffer.byteLength(req.originalUrl) > MAX_URI_BYTES) {
      res.status(414).type('text/plain').send('URI Too Long');
      return;
    }
    const q = req.query['q'];
    if (typeof q !== 'string' || q.trim() === '') {
      sendSfError(res, 400, 'MALFORMED_QUERY', 'A query string has to be specified');
      return;
    }
    checkSoqlLength(q);
    const version = sfVersion(req);
    const records = runQuery(ctx, q, includeDeleted, version);
    if (parseSoql(q).count) {
      res.json({ totalSize: records.length, done: true, records: [] });
      return;
    }
    res.json(ctx.cursors.first(records, batchSizeOf(req), version));
  };
  r.get('/query', handle(false));
  r.get('/queryAll', handle(true));
  const more = (req: Request, res: Response): void => {
    const page = ctx.cursors.fromLocator(String(req.params['locator']), sfVersion(req));
    if (!page) {
      sendSfError(res, 400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
      return;
    }
    res.json(page);
  };
  r.get('/query/:locator', more);
  r.get('/queryAll/:locator', more);
  return r;
}
