import express, { type Request, type Response, type Router } from 'express';
import { executeSoql, type WireRecord } from '../soql/eval.ts';
import { parseSoql } from '../soql/parser.ts';
import { sendSfError, type SfContext } from './context.ts';
import { sfVersion } from './middleware.ts';

const CHILD_PAGE = 200;

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
    const q = req.query['q'];
    if (typeof q !== 'string' || q.trim() === '') {
      sendSfError(res, 400, 'MALFORMED_QUERY', 'A query string has to be specified');
      return;
    }
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
