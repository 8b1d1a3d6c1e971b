import express, { Router } from 'express';
import type { Logger } from '../../log.ts';
import type { ConsoleBackend } from '../backend.ts';
import type { ServerConfig } from '../config.ts';
import { sendJsonError } from '../http.ts';

/**
 * `POST /webhooks/:source`: a source's change notifications. The signature covers the exact
 * bytes sent, so the body is kept raw here; the backend (the source's module) checks and reads it.
 */
export function webhookRoutes(deps: { backend: ConsoleBackend; config: ServerConfig; logger: Logger }): Router {
  const { backend, config, logger } = deps;
  const router = Router();

  router.post('/webhooks/:source', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    const source = String(req.params['source'] ?? '');
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(source)) return sendJsonError(res, 404, 'not-found', 'No such endpoint.');
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    const result = await backend.receiveWebhook({
      source,
      method: req.method,
      uri: `${config.publicUrl}${req.originalUrl}`,
      rawBody: Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '',
      headers,
    });
    if (result.status !== 200) {
      if (result.status === 401) logger.warn({ source }, 'webhook refused: bad signature');
      return sendJsonError(res, result.status, result.error, result.message, result.issues);
    }
    logger.info({ source, ...result.body }, 'webhook');
    res.json(result.body);
  });

  return router;
}
