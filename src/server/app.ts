import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Logger } from '../log.ts';
import type { ConsoleBackend } from './backend.ts';
import type { ServerConfig } from './config.ts';
import { loadSession, requireCsrf, requireLogin, sendJsonError, sessionOf, wantsJson } from './http.ts';
import { LoginRateLimiter } from './rate-limit.ts';
import { apiRoutes } from './routes/api.ts';
import { authRoutes } from './routes/auth.ts';
import { connectRoutes } from './routes/connect.ts';
import { backtestRoutes } from './routes/backtest.ts';
import { consoleRoutes } from './routes/console.ts';
import { settingsRoutes } from './routes/settings.ts';
import { healthRoutes } from './routes/health.ts';
import { insightRoutes } from './routes/insights.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { cardRoutes } from './routes/cards.ts';
import { SessionStore } from './sessions.ts';
import { MemoryServerState, type ServerSharedState } from './shared-state.ts';
import { CONSOLE_CSS } from './static.ts';
import { messagePage } from './views/auth.ts';

export interface ServerDeps {
  backend: ConsoleBackend;
  config: ServerConfig;
  logger: Logger;
  /** Milliseconds since the epoch; injectable so expiry can be tested without waiting. */
  now?: () => number;
  /** Sessions and login counters shared by every server process (the store); this process's memory without it. */
  state?: ServerSharedState;
}

const MAX_SESSIONS = 10_000;

function httpStatusOf(err: unknown): { status: number; type: string } | null {
  if (typeof err !== 'object' || err === null) return null;
  const status = 'status' in err && typeof err.status === 'number' ? err.status : null;
  const type = 'type' in err && typeof err.type === 'string' ? err.type : '';
  return status !== null && status >= 400 && status < 500 ? { status, type } : null;
}

export function createServer(deps: ServerDeps): express.Express {
  const { backend, config, logger } = deps;
  const now = deps.now ?? Date.now;
  const state = deps.state ?? new MemoryServerState();
  const sessions = new SessionStore({
    secret: config.sessionSecret,
    idleMs: config.sessionIdleMinutes * 60_000,
    maxAgeMs: config.sessionMaxHours * 3_600_000,
    anonymousIdleMs: Math.min(config.sessionIdleMinutes, 15) * 60_000,
    maxSessions: MAX_SESSIONS,
    now,
  }, state);
  const limiter = new LoginRateLimiter({
    perIp: config.loginLimit.perIp,
    perUser: config.loginLimit.perUser,
    windowMs: config.loginLimit.windowMinutes * 60_000,
  }, now, state);

  const app = express();
  app.disable('x-powered-by');
  // Every page and API answer is no-store, so an ETag (a SHA-1 of each body) buys nothing and
  // costs a pass over every large page.
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);
  app.use(helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'", 'https:', ...config.extraFormActionOrigins],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: config.secureCookies ? [] : null,
      },
    },
    strictTransportSecurity: config.secureCookies,
  }));

  app.use((req: Request, res: Response, next: NextFunction) => {
    const id = randomUUID();
    const started = process.hrtime.bigint();
    res.set('X-Request-Id', id);
    res.on('finish', () => {
      // The path only: query strings carry OAuth codes.
      logger.info({ reqId: id, method: req.method, path: req.path, status: res.statusCode,
        ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'request');
    });
    next();
  });

  app.use(healthRoutes(backend, logger));
  app.use(webhookRoutes({ backend, config, logger }));
  app.use(cardRoutes({ backend, config, logger }));
  app.get('/static/console.css', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=3600').type('text/css').send(CONSOLE_CSS);
  });

  // Console pages and API answers hold CRM data: keep them out of shared and back-button caches.
  app.use((_req: Request, res: Response, next: NextFunction) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  app.use(express.urlencoded({ extended: false, limit: '200kb', parameterLimit: 2000 }));
  app.use(express.json({ limit: '200kb' }));
  app.use(loadSession(config, sessions, (err) => logger.error({ err }, 'session not saved')));
  app.use(authRoutes({ backend, config, sessions, limiter }));
  app.use(connectRoutes({ backend, config, logger, now }));

  app.use(requireLogin);
  app.use(requireCsrf((m) => messagePage(null, 'Request refused', m)));
  app.use('/api', apiRoutes(backend));
  app.use(insightRoutes(backend));
  app.use(consoleRoutes(backend));
  app.use(backtestRoutes(backend));
  app.use(settingsRoutes(backend));

  app.use((req: Request, res: Response) => {
    if (wantsJson(req)) return sendJsonError(res, 404, 'not-found', 'No such endpoint.');
    res.status(404).type('html').send(messagePage(sessionOf(req), 'Not found', 'This page does not exist.'));
  });

  // Express recognises an error handler by its four parameters.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const client = httpStatusOf(err);
    if (client) {
      const message = client.type === 'entity.parse.failed' ? 'The body is not valid JSON.'
        : client.type === 'entity.too.large' ? 'The body is too large.'
        : 'The request could not be read.';
      if (wantsJson(req)) return sendJsonError(res, client.status, 'bad-request', message);
      res.status(client.status).type('html').send(messagePage(sessionOf(req), 'Bad request', message));
      return;
    }
    logger.error({ err, path: req.path }, 'request failed');
    if (res.headersSent) return;
    if (wantsJson(req)) return sendJsonError(res, 500, 'internal', 'Something went wrong; the server log has details.');
    res.status(500).type('html').send(messagePage(sessionOf(req), 'Something went wrong', 'The server log has the details. Nothing more was changed.'));
  });

  return app;
}
