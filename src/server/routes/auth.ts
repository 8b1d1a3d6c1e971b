import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { ConsoleBackend } from '../backend.ts';
import type { ServerConfig } from '../config.ts';
import { clearSessionCookie, parseOr400, requireCsrf, sessionOf, setSession, writeSessionCookie } from '../http.ts';
import { hashPassword, verifyPassword } from '../password.ts';
import type { LoginRateLimiter } from '../rate-limit.ts';
import { safeEqual, type Session, type SessionStore } from '../sessions.ts';
import { loginPage, messagePage, noPasswordPage, setupPage } from '../views/auth.ts';

export interface AuthDeps {
  backend: ConsoleBackend;
  config: ServerConfig;
  sessions: SessionStore;
  limiter: LoginRateLimiter;
}

const LoginBody = z.object({
  user: z.string().max(200),
  password: z.string().max(1024),
  next: z.string().max(2000).optional(),
});

const SetupBody = z.object({
  setupToken: z.string().max(1024),
  password: z.string().max(1024),
  confirm: z.string().max(1024),
});

/** Only same-site paths, so the login form cannot be turned into an open redirect. */
export function safeNext(next: string | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return '/';
  return next;
}

export function authRoutes(deps: AuthDeps): Router {
  const { backend, config, sessions, limiter } = deps;
  const router = Router();
  const csrf = requireCsrf((m) => messagePage(null, 'Request refused', m));

  const adminHash = async (): Promise<string | null> => config.adminPasswordHash ?? (await backend.getAdminPasswordHash());

  /** The request's session, or a new anonymous one that carries the form's CSRF token. */
  const anonymousSession = async (req: Request, res: Response): Promise<Session> => {
    const existing = sessionOf(req);
    if (existing) return existing;
    const created = await sessions.create(null);
    setSession(req, created);
    writeSessionCookie(res, config, sessions, created);
    return created;
  };

  router.get('/login', async (req, res) => {
    const session = await anonymousSession(req, res);
    const next = safeNext(typeof req.query['next'] === 'string' ? req.query['next'] : undefined);
    if (session.user) {
      res.redirect(303, next);
      return;
    }
    const hash = await adminHash();
    if (!hash && !config.setupToken) {
      res.status(503).type('html').send(noPasswordPage(session));
      return;
    }
    res.type('html').send(loginPage(session, { next, user: '', error: null, setupAvailable: !hash }));
  });

  router.post('/login', csrf, async (req, res) => {
    const body = parseOr400(LoginBody, req.body, 'body', req, res, (m) => messagePage(null, 'Bad request', m));
    if (!body) return;
    const session = sessionOf(req);
    if (!session) return; // requireCsrf guarantees one; kept for the type checker
    const ip = req.ip ?? 'unknown';
    const next = safeNext(body.next);
    // Counted as a failure before the password is checked (taken back if it was right), so
    // parallel requests cannot all pass.
    const decision = await limiter.begin(ip, body.user);
    if (!decision.allowed) {
      res.set('Retry-After', String(decision.retryAfterSeconds));
      res.status(429).type('html').send(loginPage(session, {
        next, user: body.user, setupAvailable: false,
        error: `Too many failed attempts. Try again in ${Math.ceil(decision.retryAfterSeconds / 60)} minute(s).`,
      }));
      return;
    }
    const hash = await adminHash();
    if (!hash) {
      res.status(503).type('html').send(noPasswordPage(session));
      return;
    }
    const userOk = safeEqual(body.user.trim().toLowerCase(), config.adminUser.toLowerCase());
    // The hash is checked whatever the user name, so timing does not tell a wrong name apart.
    const passwordOk = await verifyPassword(body.password, hash);
    if (!userOk || !passwordOk) {
      res.status(401).type('html').send(loginPage(session, { next, user: body.user, error: 'Wrong user name or password.', setupAvailable: false }));
      return;
    }
    await decision.attempt.succeeded();
    // A fresh session id on login, so an id planted before login is worth nothing after it.
    await sessions.destroy(session);
    const fresh = await sessions.create(config.adminUser);
    writeSessionCookie(res, config, sessions, fresh);
    res.redirect(303, next);
  });

  router.post('/logout', csrf, async (req, res) => {
    const session = sessionOf(req);
    if (session) await sessions.destroy(session);
    clearSessionCookie(res, config);
    res.redirect(303, '/login');
  });

  const setupOpen = async (): Promise<boolean> => config.setupToken !== null && (await adminHash()) === null;

  /** Why /setup is closed, in words that are true: a password exists, or no setup token was given. */
  const setupClosed = async (req: Request, res: Response): Promise<boolean> => {
    if (await setupOpen()) return false;
    if ((await adminHash()) !== null) {
      res.status(404).type('html').send(messagePage(sessionOf(req), 'Not found', 'Setup is done: an admin password is already set.'));
    } else {
      res.status(503).type('html').send(messagePage(sessionOf(req), 'Setup is not open',
        'No admin password is set yet, and the first-run setup is closed because KAMFLOW_SETUP_TOKEN is not set on the server.',
        "Set KAMFLOW_SETUP_TOKEN (at least 16 characters) and restart to open this page, or set KAMFLOW_ADMIN_PASSWORD_HASH to a hash made with printf '%s' 'a long password' | npm run --silent hash-password."));
    }
    return true;
  };

  router.get('/setup', async (req, res) => {
    if (await setupClosed(req, res)) return;
    res.type('html').send(setupPage(await anonymousSession(req, res), null, config.adminUser));
  });

  router.post('/setup', csrf, async (req, res) => {
    const session = sessionOf(req);
    if (await setupClosed(req, res)) return;
    if (!session || config.setupToken === null) return;
    const body = parseOr400(SetupBody, req.body, 'body', req, res, (m) => messagePage(null, 'Bad request', m));
    if (!body) return;
    const ip = req.ip ?? 'unknown';
    const decision = await limiter.begin(ip, '(setup)');
    if (!decision.allowed) {
      res.set('Retry-After', String(decision.retryAfterSeconds));
      res.status(429).type('html').send(setupPage(session, 'Too many failed attempts. Try again later.', config.adminUser));
      return;
    }
    if (!safeEqual(body.setupToken, config.setupToken)) {
      res.status(401).type('html').send(setupPage(session, 'The setup token is wrong.', config.adminUser));
      return;
    }
    await decision.attempt.succeeded();
    if (body.password.length < 12) {
      res.status(422).type('html').send(setupPage(session, 'The password must have at least 12 characters.', config.adminUser));
      return;
    }
    if (body.password !== body.confirm) {
      res.status(422).type('html').send(setupPage(session, 'The two passwords differ.', config.adminUser));
      return;
    }
    await backend.setAdminPasswordHash(await hashPassword(body.password));
    session.flash = { kind: 'ok', message: `The admin password is set. Log in as ${config.adminUser} with it.` };
    res.redirect(303, '/login');
  });

  return router;
}
