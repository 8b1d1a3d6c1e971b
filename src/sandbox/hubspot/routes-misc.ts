import express, { type Request, type Response, type Router } from 'express';
import { sendHsError, type HsContext } from './context.ts';
import { HUB_ID } from './routes-auth.ts';
import { HS_STAGES } from './store.ts';

/** Deal pipelines (one default pipeline), owners, and the account details. */
export function hubspotMiscRoutes(ctx: HsContext): Router {
  const r = express.Router();
  const iso = (): string => new Date(ctx.store.createdAt).toISOString();
  const pipeline = () => ({
    id: 'default',
    label: 'Sales Pipeline',
    displayOrder: 0,
    createdAt: iso(),
    updatedAt: iso(),
    archived: false,
    stages: HS_STAGES.map((s) => ({
      id: s.id,
      label: s.label,
      displayOrder: s.displayOrder,
      metadata: { isClosed: String(s.isClosed), probability: s.probability },
      createdAt: iso(),
      updatedAt: iso(),
      archived: false,
      writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
    })),
  });

  r.get('/crm/v3/pipelines/:objectType', (req: Request, res: Response) => {
    if (!['deals', '0-3', 'deal'].includes(String(req.params['objectType']))) {
      res.json({ results: [] });
      return;
    }
    res.json({ results: [pipeline()] });
  });

  r.get('/crm/v3/pipelines/:objectType/:pipelineId', (req: Request, res: Response) => {
    if (String(req.params['pipelineId']) !== 'default') {
      sendHsError(ctx, res, 404, 'OBJECT_NOT_FOUND', `Unable to find pipeline ${String(req.params['pipelineId'])}`);
      return;
    }
    res.json(pipeline());
  });

  r.get('/crm/v3/owners', (req: Request, res: Response) => {
    const archived = req.query['archived'] === 'true';
    const limit = Math.min(500, Math.max(1, Number(req.query['limit'] ?? 100) || 100));
    const after = Number(req.query['after'] ?? 0) || 0;
    const email = typeof req.query['email'] === 'string' ? req.query['email'] : undefined;
    const all = ctx.store.owners.filter((o) => o.archived === archived && (email === undefined || o.email === email));
    const slice = all.slice(after, after + limit);
    res.json({
      results: slice.map((o) => ({
        id: o.id,
        email: o.email,
        type: o.type,
        firstName: o.firstName,
        lastName: o.lastName,
        userId: o.userId,
        userIdIncludingInactive: o.userId,
        createdAt: new Date(o.createdAt).toISOString(),
        updatedAt: new Date(o.updatedAt).toISOString(),
        archived: o.archived,
        teams: [],
      })),
      ...(after + limit < all.length ? { paging: { next: { after: String(after + limit), link: null } } } : {}),
    });
  });
  // Account Info API: the portal's settings, among them the company currency.
  r.get('/account-info/v3/details', (_req: Request, res: Response) => {
    res.json({
      portalId: HUB_ID,
      accountType: 'STANDARD',
      timeZone: 'US/Eastern',
      companyCurrency: ctx.store.companyCurrency,
      additionalCurrencies: [...ctx.store.exchangeRates.keys()],
      utcOffset: '-05:00',
      utcOffsetMilliseconds: -18_000_000,
      uiDomain: 'app.hubspot.com',
      dataHostingLocation: 'na1',
    });
  });
  return r;
}
