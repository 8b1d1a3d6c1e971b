import { Router, type Request, type Response } from 'express';
import type { ConnectionHealth, ConsoleBackend } from '../backend.ts';
import { parseOr400, sessionOf } from '../http.ts';
import type { Session } from '../sessions.ts';
import { messagePage } from '../views/auth.ts';
import { portfolioPage } from '../views/portfolio.ts';
import { runsListPage } from '../views/runs-list.ts';
import { ConnectionParams } from './params.ts';

/** Runs shown on a connection's run history page. */
export const RUN_HISTORY_LIMIT = 200;

/** The console's read-only pages of a connection: its portfolio and its whole run history. Behind login. */
export function insightRoutes(backend: ConsoleBackend): Router {
  const router = Router();

  const load = async (req: Request, res: Response): Promise<{ session: Session; c: ConnectionHealth } | null> => {
    const params = parseOr400(ConnectionParams, { id: req.params['id'] }, 'params', req, res, (m) => messagePage(sessionOf(req), 'Bad request', m));
    const session = sessionOf(req);
    if (!params || !session) return null;
    const c = await backend.getConnection(params.id);
    if (!c) {
      res.status(404).type('html').send(messagePage(session, 'Not found', 'This connection does not exist.'));
      return null;
    }
    return { session, c };
  };

  router.get('/connections/:id/portfolio', async (req, res) => {
    const ctx = await load(req, res);
    if (!ctx) return;
    const view = await backend.getPortfolio(ctx.c.id);
    if (!view) {
      res.status(404).type('html').send(messagePage(ctx.session, 'No analysis yet',
        'The portfolio appears once a run has pulled the CRM\'s data.', 'Start a dry run or a sync on the connection page.'));
      return;
    }
    res.type('html').send(portfolioPage(ctx.session, ctx.c, view));
  });

  router.get('/connections/:id/runs', async (req, res) => {
    const ctx = await load(req, res);
    if (!ctx) return;
    const runs = await backend.listRuns(ctx.c.id, RUN_HISTORY_LIMIT + 1);
    res.type('html').send(runsListPage(ctx.session, ctx.c, runs.slice(0, RUN_HISTORY_LIMIT), runs.length > RUN_HISTORY_LIMIT));
  });

  return router;
}
