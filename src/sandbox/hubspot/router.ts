import { clockDateHeader } from '../clock.ts';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { HsHttpError, sendHsError, type HsContext } from './context.ts';
import { hsApiGate } from './middleware.ts';
import { hubspotAssociationRoutes } from './routes-associations.ts';
import { hubspotAuthRoutes } from './routes-auth.ts';
import { hubspotCurrencyRoutes } from './routes-currencies.ts';
import { hubspotMiscRoutes } from './routes-misc.ts';
import { hubspotObjectRoutes } from './routes-objects.ts';
import { hubspotPropertyRoutes } from './routes-properties.ts';
import { hubspotSearchRoutes } from './routes-search.ts';
import { hubspotTaskRoutes } from './routes-tasks.ts';

/** The whole simulated HubSpot: OAuth v1, the `/crm/...` APIs, the account details and the currency settings. */
export function hubspotRouter(ctx: HsContext): Router {
  const root = express.Router();
  root.use(clockDateHeader(ctx.clock));
  root.use(hubspotAuthRoutes(ctx));
  const crm = express.Router();
  crm.use(hsApiGate(ctx));
  crm.use(express.json({ limit: '20mb' }));
  // Search is routed before the object routes so that `/search` is never read as an object id.
  crm.use(hubspotSearchRoutes(ctx));
  crm.use(hubspotTaskRoutes(ctx));
  crm.use(hubspotObjectRoutes(ctx));
  crm.use(hubspotAssociationRoutes(ctx));
  crm.use(hubspotPropertyRoutes(ctx));
  crm.use(hubspotMiscRoutes(ctx));
  crm.use(hubspotCurrencyRoutes(ctx));
  crm.use((req: Request, res: Response) => {
    sendHsError(ctx, res, 404, 'OBJECT_NOT_FOUND', `No route for ${req.method} ${req.path}`);
  });
  crm.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof HsHttpError) {
      sendHsError(ctx, res, err.status, err.category, err.message, err.extra);
      return;
    }
    if (err && typeof err === 'object' && 'type' in err && err.type === 'entity.parse.failed') {
      sendHsError(ctx, res, 400, 'VALIDATION_ERROR', 'Invalid input JSON: the request body could not be parsed');
      return;
    }
    sendHsError(ctx, res, 500, 'INTERNAL_ERROR', err instanceof Error ? err.message : 'internal error');
  });
  root.use((req: Request, res: Response, next: NextFunction) => {
    if (req.path.startsWith('/crm/') || req.path.startsWith('/account-info/') || req.path.startsWith('/settings/')) crm(req, res, next);
    else next();
  });
  return root;
}
