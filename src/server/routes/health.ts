import { Router } from 'express';
import type { Logger } from '../../log.ts';
import type { ConsoleBackend } from '../backend.ts';

/** Probes for orchestrators; open without a session, so they carry states only, never details. */
export function healthRoutes(backend: ConsoleBackend, logger: Logger): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    try {
      const r = await backend.readiness();
      const checks = r.checks.map((c) => ({ name: c.name, ok: c.ok }));
      res.status(r.ok ? 200 : 503).json({ status: r.ok ? 'ready' : 'not-ready', checks });
    } catch (e) {
      logger.error({ err: e instanceof Error ? e.name : 'unknown' }, 'readiness check threw');
      res.status(503).json({ status: 'not-ready', checks: [] });
    }
  });
  return router;
}
