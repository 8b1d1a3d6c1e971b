import { Router, type Request, type Response } from 'express';
import type { ConnectionHealth, ConsoleBackend, RunRequest } from '../backend.ts';
import { parseOr400, sessionOf } from '../http.ts';
import type { Session } from '../sessions.ts';
import { messagePage } from '../views/auth.ts';
import { configPage } from '../views/config.ts';
import { connectionPage, connectionsPage } from '../views/connections.ts';
import { familyPageBytes, pageEncoding } from '../views/family.ts';
import { path } from '../views/layout.ts';
import { runPage } from '../views/runs.ts';
import { ConfigFormBody, ConnectionParams, FamilyParams, RunKindBody, RunParams } from './params.ts';

/** How a plan records a console approver. */
function approverOf(session: Session): string {
  return `console:${session.user ?? '?'}`;
}

/** The console's HTML pages. Mounted behind login and CSRF checks. */
export function consoleRoutes(backend: ConsoleBackend): Router {
  const router = Router();
  const bad = (req: Request) => (m: string) => messagePage(sessionOf(req), 'Bad request', m);

  const notFound = (req: Request, res: Response, what: string): void => {
    res.status(404).type('html').send(messagePage(sessionOf(req), 'Not found', `${what} does not exist.`));
  };

  /** The logged-in session and the connection named in the path, or an answer already sent. */
  const load = async (req: Request, res: Response): Promise<{ session: Session; c: ConnectionHealth } | null> => {
    const params = parseOr400(ConnectionParams, { id: req.params['id'] }, 'params', req, res, bad(req));
    const session = sessionOf(req);
    if (!params || !session) return null;
    const c = await backend.getConnection(params.id);
    if (!c) {
      notFound(req, res, 'This connection');
      return null;
    }
    return { session, c };
  };

  const startAndRedirect = async (res: Response, session: Session, c: ConnectionHealth, request: RunRequest): Promise<void> => {
    const started = await backend.startRun(c.id, request);
    if (started.ok) {
      session.flash = {
        kind: 'ok',
        message: request.kind === 'approve' ? 'Plan approved: the run writing it started.'
          : request.kind === 'rollback' && request.preview === true ? 'Rollback preview started: it writes nothing; review its plan, then approve it.'
          : `${request.kind === 'dry-run' ? 'Dry run' : request.kind === 'rollback' ? 'Rollback' : 'Sync'} started.`,
      };
      res.redirect(303, path('connections', c.id, 'runs', started.runId));
    } else {
      session.flash = { kind: 'error', message: started.message };
      res.redirect(303, path('connections', c.id));
    }
  };

  router.get('/', async (req, res) => {
    const session = sessionOf(req);
    if (!session) return;
    res.type('html').send(connectionsPage(session, await backend.listConnections(), await backend.listSources()));
  });

  router.get('/connections/:id', async (req, res) => {
    const ctx = await load(req, res);
    if (!ctx) return;
    const [runs, families] = await Promise.all([backend.listRuns(ctx.c.id, 20), backend.listFamilies(ctx.c.id)]);
    res.type('html').send(connectionPage(ctx.session, ctx.c, runs, families));
  });

  router.get('/connections/:id/config', async (req, res) => {
    const ctx = await load(req, res);
    if (!ctx) return;
    const form = await backend.getConfigForm(ctx.c.id);
    if (!form) return notFound(req, res, 'The configuration of this connection');
    res.type('html').send(configPage(ctx.session, ctx.c, { form, values: {}, errors: [], preview: null }));
  });

  const configSubmit = (mode: 'preview' | 'save') => async (req: Request, res: Response): Promise<void> => {
    const ctx = await load(req, res);
    if (!ctx) return;
    const body = parseOr400(ConfigFormBody, req.body, 'body', req, res, bad(req));
    if (!body) return;
    const form = await backend.getConfigForm(ctx.c.id);
    if (!form) return notFound(req, res, 'The configuration of this connection');
    if (mode === 'preview') {
      const preview = await backend.previewConfig(ctx.c.id, body.values);
      const state = preview.ok
        ? { form, values: body.values, errors: [], preview }
        : { form, values: body.values, errors: preview.errors, preview: null };
      res.status(preview.ok ? 200 : 422).type('html').send(configPage(ctx.session, ctx.c, state));
      return;
    }
    const saved = await backend.saveConfig(ctx.c.id, body.values, body.version);
    if (!saved.ok) {
      res.status(422).type('html').send(configPage(ctx.session, ctx.c, { form, values: body.values, errors: saved.errors, preview: null }));
      return;
    }
    ctx.session.flash = { kind: 'ok', message: `Saved: configuration version ${saved.version}.` };
    res.redirect(303, path('connections', ctx.c.id, 'config'));
  };
  router.post('/connections/:id/config/preview', configSubmit('preview'));
  router.post('/connections/:id/config', configSubmit('save'));

  router.post('/connections/:id/runs', async (req, res) => {
    const ctx = await load(req, res);
    if (!ctx) return;
    const body = parseOr400(RunKindBody, req.body, 'body', req, res, bad(req));
    if (!body) return;
    const request: RunRequest = body.kind === 'sync' ? { kind: 'sync', ...(body.confirm ? { confirm: true, approvedBy: approverOf(ctx.session) } : {}) } : { kind: body.kind };
    await startAndRedirect(res, ctx.session, ctx.c, request);
  });

  router.get('/connections/:id/runs/:runId', async (req, res) => {
    const ctx = await load(req, res);
    if (!ctx) return;
    const params = parseOr400(RunParams, req.params, 'params', req, res, bad(req));
    if (!params) return;
    const run = await backend.getRun(ctx.c.id, params.runId);
    if (!run) return notFound(req, res, 'This run');
    res.type('html').send(runPage(ctx.session, ctx.c, run));
  });

  router.post('/connections/:id/runs/:runId/rollback', async (req, res) => {
    const ctx = await load(req, res);
    if (!ctx) return;
    const params = parseOr400(RunParams, req.params, 'params', req, res, bad(req));
    if (!params) return;
    // The button previews the rollback; its kept plan is written only once approved.
    await startAndRedirect(res, ctx.session, ctx.c, { kind: 'rollback', runId: params.runId, preview: true });
  });

  router.post('/connections/:id/runs/:runId/approve', async (req, res) => {
    const ctx = await load(req, res);
    if (!ctx) return;
    const params = parseOr400(RunParams, req.params, 'params', req, res, bad(req));
    if (!params) return;
    await startAndRedirect(res, ctx.session, ctx.c, { kind: 'approve', planRunId: params.runId, approvedBy: approverOf(ctx.session) });
  });

  router.get('/connections/:id/families/:familyId', async (req, res) => {
    const ctx = await load(req, res);
    if (!ctx) return;
    const params = parseOr400(FamilyParams, req.params, 'params', req, res, bad(req));
    if (!params) return;
    const view = await backend.getFamily(ctx.c.id, params.familyId);
    if (!view) return notFound(req, res, 'This family');
    // The largest page of the console: sent compressed when the browser takes it, from bytes kept per analysis.
    const encoding = pageEncoding(req.get('accept-encoding'));
    res.type('html').vary('Accept-Encoding');
    if (encoding) res.set('Content-Encoding', encoding);
    res.send(familyPageBytes(ctx.session, ctx.c, view, encoding));
  });

  return router;
}
