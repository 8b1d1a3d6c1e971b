import { Router, type Request, type Response } from 'express';
import type { ConsoleBackend } from '../backend.ts';
import { parseOr400, sendJsonError, sessionOf } from '../http.ts';
import { ConfigJsonBody, ConnectionParams, FamilyParams, LimitQuery, RunJsonBody, RunParams, SaveConfigJsonBody } from './params.ts';

const noPage = (m: string): string => m;

/** The console's JSON API, under /api. Mounted behind login and CSRF (X-CSRF-Token) checks. */
export function apiRoutes(backend: ConsoleBackend): Router {
  const router = Router();

  const connectionId = async (req: Request, res: Response): Promise<string | null> => {
    const params = parseOr400(ConnectionParams, { id: req.params['id'] }, 'params', req, res, noPage);
    if (!params) return null;
    if (!(await backend.getConnection(params.id))) {
      sendJsonError(res, 404, 'not-found', 'No connection has this id.');
      return null;
    }
    return params.id;
  };

  router.get('/session', (req, res) => {
    const session = sessionOf(req);
    res.json({ user: session?.user ?? null, csrfToken: session?.csrfToken ?? null });
  });

  router.get('/connections', async (_req, res) => {
    res.json({ connections: await backend.listConnections() });
  });

  router.get('/connections/:id', async (req, res) => {
    const id = await connectionId(req, res);
    if (!id) return;
    res.json({ connection: await backend.getConnection(id) });
  });

  router.get('/connections/:id/config', async (req, res) => {
    const id = await connectionId(req, res);
    if (!id) return;
    const form = await backend.getConfigForm(id);
    if (!form) return sendJsonError(res, 404, 'not-found', 'This connection has no configuration.');
    res.json(form);
  });

  router.post('/connections/:id/config/preview', async (req, res) => {
    const id = await connectionId(req, res);
    if (!id) return;
    const body = parseOr400(ConfigJsonBody, req.body, 'body', req, res, noPage);
    if (!body) return;
    const preview = await backend.previewConfig(id, body.values);
    res.status(preview.ok ? 200 : 422).json(preview);
  });

  router.put('/connections/:id/config', async (req, res) => {
    const id = await connectionId(req, res);
    if (!id) return;
    const body = parseOr400(SaveConfigJsonBody, req.body, 'body', req, res, noPage);
    if (!body) return;
    const saved = await backend.saveConfig(id, body.values, body.version);
    res.status(saved.ok ? 200 : 422).json(saved);
  });

  router.get('/connections/:id/runs', async (req, res) => {
    const id = await connectionId(req, res);
    if (!id) return;
    const query = parseOr400(LimitQuery, req.query, 'query', req, res, noPage);
    if (!query) return;
    res.json({ runs: await backend.listRuns(id, query.limit) });
  });

  router.post('/connections/:id/runs', async (req, res) => {
    const id = await connectionId(req, res);
    if (!id) return;
    const body = parseOr400(RunJsonBody, req.body, 'body', req, res, noPage);
    if (!body) return;
    const started = await backend.startRun(id, body);
    if (started.ok) {
      res.status(202).json(started);
      return;
    }
    res.status(started.reason === 'busy' ? 409 : started.reason === 'not-found' ? 404 : 422).json(started);
  });

  router.get('/connections/:id/runs/:runId', async (req, res) => {
    const id = await connectionId(req, res);
    if (!id) return;
    const params = parseOr400(RunParams, req.params, 'params', req, res, noPage);
    if (!params) return;
    const run = await backend.getRun(id, params.runId);
    if (!run) return sendJsonError(res, 404, 'not-found', 'No run has this id.');
    res.json({ run });
  });

  router.get('/connections/:id/families', async (req, res) => {
    const id = await connectionId(req, res);
    if (!id) return;
    res.json({ families: (await backend.listFamilies(id)) ?? [] });
  });

  router.get('/connections/:id/families/:familyId', async (req, res) => {
    const id = await connectionId(req, res);
    if (!id) return;
    const params = parseOr400(FamilyParams, req.params, 'params', req, res, noPage);
    if (!params) return;
    const view = await backend.getFamily(id, params.familyId);
    if (!view) return sendJsonError(res, 404, 'not-found', 'No family has this id.');
    res.json(view);
  });

  return router;
}
