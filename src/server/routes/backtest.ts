import { Router } from 'express';
import { z } from 'zod';
import type { ConsoleBackend } from '../backend.ts';
import { parseOr400, sessionOf } from '../http.ts';
import { messagePage } from '../views/auth.ts';
import { backtestPage } from '../views/backtest.ts';
import { ConnectionParams } from './params.ts';

const BacktestQuery = z.object({
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'asOf must be a date YYYY-MM-DD')
    .refine((s) => new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s, 'asOf must be a real calendar date')
    .optional(),
});

/** The console's backtest page. Mounted behind login like the other console pages. */
export function backtestRoutes(backend: ConsoleBackend): Router {
  const router = Router();
  router.get('/connections/:id/backtest', async (req, res) => {
    const session = sessionOf(req);
    const bad = (m: string) => messagePage(sessionOf(req), 'Bad request', m);
    const params = parseOr400(ConnectionParams, { id: req.params['id'] }, 'params', req, res, bad);
    if (!params || !session) return;
    const query = parseOr400(BacktestQuery, { asOf: typeof req.query['asOf'] === 'string' && req.query['asOf'] !== '' ? req.query['asOf'] : undefined }, 'query', req, res, bad);
    if (!query) return;
    const c = await backend.getConnection(params.id);
    const view = c && backend.backtest ? await backend.backtest(c.id, query.asOf ?? null) : null;
    if (!c || !view) {
      res.status(404).type('html').send(messagePage(session, 'Not found', 'This connection does not exist.'));
      return;
    }
    res.type('html').send(backtestPage(session, c, view));
  });
  return router;
}
