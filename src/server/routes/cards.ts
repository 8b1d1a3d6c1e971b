import { Router } from 'express';
import type { Logger } from '../../log.ts';
import type { ConsoleBackend } from '../backend.ts';
import type { ServerConfig } from '../config.ts';
import { sendJsonError } from '../http.ts';

/**
 * `GET /:source/card/run-status`: what a CRM record card asks Kamflow's server (HubSpot's app
 * card, through hubspot.fetch). Signed by the source; no session, no cookies. The signature
 * covers the full URI as called, so it is rebuilt from the public URL and the original path.
 */
export function cardRoutes(deps: { backend: ConsoleBackend; config: ServerConfig; logger: Logger }): Router {
  const { backend, config, logger } = deps;
  const router = Router();

  router.get('/:source/card/run-status', async (req, res) => {
    const source = String(req.params['source'] ?? '');
    if (!backend.cardRunStatus || !/^[a-z][a-z0-9-]{0,39}$/.test(source)) return sendJsonError(res, 404, 'not-found', 'No such endpoint.');
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    const query: Record<string, string | undefined> = {};
    for (const [k, v] of new URL(req.originalUrl, 'http://local').searchParams) if (!(k in query)) query[k] = v;
    const result = await backend.cardRunStatus({ source, method: 'GET', uri: `${config.publicUrl}${req.originalUrl}`, rawBody: '', headers, query });
    res.setHeader('Cache-Control', 'no-store');
    if (result.status !== 200) {
      if (result.status === 401) logger.warn({ source }, 'card request refused: bad signature');
      return sendJsonError(res, result.status, result.error, result.message);
    }
    res.json(result.body);
  });

  return router;
}
