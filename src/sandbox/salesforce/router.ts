import { clockDateHeader } from '../clock.ts';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { SoqlError } from '../soql/errors.ts';
import { SfHttpError, sendSfError, type SfContext } from './context.ts';
import { sfApiGate, sfVersion } from './middleware.ts';
import { salesforceAuthRoutes } from './routes-auth.ts';
import { salesforceBulkRoutes } from './routes-bulk.ts';
import { salesforceMetadataRoutes } from './routes-metadata.ts';
import { salesforceQueryRoutes } from './routes-query.ts';
import { salesforceSObjectRoutes } from './routes-sobjects.ts';
import { salesforceSoapRoutes } from './routes-soap.ts';
import { salesforceToolingRoutes } from './routes-tooling.ts';

/** The whole simulated Salesforce: OAuth, identity, `/services/data/vNN.N/...` and SOAP getUserInfo. */
export function salesforceRouter(ctx: SfContext): Router {
  const root = express.Router();
  root.use(clockDateHeader(ctx.clock));
  root.use(salesforceAuthRoutes(ctx));
  root.use(salesforceSoapRoutes(ctx));
  root.use(salesforceMetadataRoutes(ctx));

  root.get('/services/data', (_req: Request, res: Response) => {
    res.json(['58.0', '59.0', '60.0', '61.0', '62.0', '63.0', '64.0', '65.0'].map((v) => ({ label: `v${v}`, url: `/services/data/v${v}`, version: v })));
  });

  const data = express.Router({ mergeParams: true });
  data.use((req: Request, res: Response, next: NextFunction) => {
    if (!/^v\d+\.\d$/.test(String(req.params['version']))) {
      sendSfError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
      return;
    }
    next();
  });
  data.use(sfApiGate(ctx));
  data.use(express.json({ limit: '50mb', type: ['application/json', 'application/*+json'] }));
  data.get('/', (req: Request, res: Response) => {
    const v = sfVersion(req);
    res.json({
      sobjects: `/services/data/v${v}/sobjects`,
      query: `/services/data/v${v}/query`,
      queryAll: `/services/data/v${v}/queryAll`,
      tooling: `/services/data/v${v}/tooling`,
      limits: `/services/data/v${v}/limits`,
      identity: `${ctx.baseUrl()}/id/${ctx.store.orgId}/${ctx.store.integrationUserId}`,
    });
  });
  data.get('/limits', (_req: Request, res: Response) => {
    const { apiUsed, dailyLimit } = ctx.store;
    res.json({
      DailyApiRequests: { Max: dailyLimit, Remaining: Math.max(0, dailyLimit - apiUsed) },
      DailyBulkV2QueryJobs: { Max: 10000, Remaining: 10000 - [...ctx.bulk.jobs.values()].filter((j) => j.kind === 'query').length },
      DailyBulkApiBatches: { Max: 15000, Remaining: 15000 - [...ctx.bulk.jobs.values()].filter((j) => j.kind === 'ingest').length },
    });
  });
  data.use(salesforceQueryRoutes(ctx));
  data.use(salesforceSObjectRoutes(ctx));
  data.use(salesforceToolingRoutes(ctx));
  data.use(salesforceBulkRoutes(ctx));
  data.use((_req: Request, res: Response) => {
    sendSfError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
  });
  data.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof SoqlError) {
      sendSfError(res, 400, err.errorCode, err.message);
      return;
    }
    if (err instanceof SfHttpError) {
      sendSfError(res, err.status, err.errorCode, err.message);
      return;
    }
    if (err instanceof SyntaxError || (err && typeof err === 'object' && 'type' in err && err.type === 'entity.parse.failed')) {
      sendSfError(res, 400, 'JSON_PARSER_ERROR', 'The request body is not valid JSON');
      return;
    }
    sendSfError(res, 500, 'UNKNOWN_EXCEPTION', err instanceof Error ? err.message : 'internal error');
  });
  root.use('/services/data/:version', data);
  return root;
}
