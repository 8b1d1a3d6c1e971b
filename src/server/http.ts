import type { NextFunction, Request, Response } from 'express';
import type { z } from 'zod';
import type { ServerConfig } from './config.ts';
import { safeEqual, type Session, type SessionStore } from './sessions.ts';

/** The session each request carries, kept off the express types so nothing is `any`. */
const sessions = new WeakMap<Request, Session>();

export function sessionOf(req: Request): Session | null {
  return sessions.get(req) ?? null;
}

export function setSession(req: Request, session: Session): void {
  sessions.set(req, session);
}

export function cookieName(config: ServerConfig): string {
  // `__Host-` makes browsers refuse the cookie unless Secure, Path=/ and no Domain.
  return config.secureCookies ? '__Host-kamflow' : 'kamflow_session';
}

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * SameSite=Lax rather than Strict: the OAuth callback is a top-level redirect from the CRM's
 * site, and must carry the session its state is bound to. State changes are POSTs with CSRF
 * tokens, which Lax does not send cross-site anyway.
 */
export function writeSessionCookie(res: Response, config: ServerConfig, store: SessionStore, session: Session): void {
  res.cookie(cookieName(config), store.cookieValue(session), {
    httpOnly: true,
    secure: config.secureCookies,
    sameSite: 'lax',
    path: '/',
    maxAge: config.sessionMaxHours * 3600 * 1000,
  });
}

export function clearSessionCookie(res: Response, config: ServerConfig): void {
  res.clearCookie(cookieName(config), { httpOnly: true, secure: config.secureCookies, sameSite: 'lax', path: '/' });
}

/**
 * Loads the cookie's session from the database and writes it back, if it changed, before the
 * response ends (as express-session does), so that the next request, on any server process,
 * sees what this one did: a flash message, a pending install, a new idle expiry.
 */
export function loadSession(config: ServerConfig, store: SessionStore, onError: (err: unknown) => void) {
  return (req: Request, res: Response, next: NextFunction): void => {
    store.fromCookie(readCookie(req, cookieName(config))).then((session) => {
      if (session) setSession(req, session);
      const end = res.end;
      let ending = false;
      res.end = function (this: Response, ...args: unknown[]): Response {
        if (ending) return this;
        ending = true;
        const current = sessionOf(req);
        const saved = current ? store.save(current) : Promise.resolve();
        saved.catch(onError).finally(() => {
          Reflect.apply(end, this, args);
        });
        return this;
      } as Response['end'];
      next();
    }, next);
  };
}

export function wantsJson(req: Request): boolean {
  return req.originalUrl === '/api' || req.originalUrl.startsWith('/api/') || req.originalUrl.startsWith('/api?');
}

export interface JsonIssue {
  field: string;
  message: string;
}

export function sendJsonError(res: Response, status: number, error: string, message: string, issues: JsonIssue[] = []): void {
  res.status(status).json(issues.length > 0 ? { error, message, issues } : { error, message });
}

export function zodIssues(error: z.ZodError, where: string): JsonIssue[] {
  return error.issues.map((i) => ({
    field: [where, ...i.path.map(String)].filter((p) => p !== '').join('.'),
    message: i.message,
  }));
}

/** Parses one part of a request; on failure answers 400 naming the fields and returns null. */
export function parseOr400<T>(
  schema: z.ZodType<T>,
  value: unknown,
  where: 'body' | 'query' | 'params',
  req: Request,
  res: Response,
  renderPage: (message: string) => string,
): T | null {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = zodIssues(parsed.error, where);
  if (wantsJson(req)) {
    sendJsonError(res, 400, 'bad-request', 'The request has invalid fields.', issues);
  } else {
    res.status(400).type('html').send(renderPage(issues.map((i) => `${i.field}: ${i.message}`).join('; ')));
  }
  return null;
}

/** Refuses any request without a logged-in session: 401 JSON for the API, login page otherwise. */
export function requireLogin(req: Request, res: Response, next: NextFunction): void {
  const session = sessionOf(req);
  if (session?.user) {
    next();
    return;
  }
  if (wantsJson(req)) {
    sendJsonError(res, 401, 'unauthenticated', 'Log in to use the console API.');
    return;
  }
  if (req.method === 'GET' || req.method === 'HEAD') {
    res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    return;
  }
  res.redirect(303, '/login');
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function submittedToken(req: Request): string | undefined {
  const header = req.get('x-csrf-token');
  if (header) return header;
  const body: unknown = req.body;
  if (body && typeof body === 'object' && '_csrf' in body) {
    const token = (body as { _csrf: unknown })._csrf;
    if (typeof token === 'string') return token;
  }
  return undefined;
}

/**
 * Every state-changing request must carry the session's CSRF token, in the `_csrf` form field
 * or the X-CSRF-Token header.
 */
export function requireCsrf(renderPage: (message: string) => string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!UNSAFE.has(req.method)) {
      next();
      return;
    }
    const session = sessionOf(req);
    const token = submittedToken(req);
    if (session && token && safeEqual(token, session.csrfToken)) {
      next();
      return;
    }
    const message = token ? 'The form token is wrong or has expired.' : 'The form token is missing.';
    if (wantsJson(req)) {
      sendJsonError(res, 403, 'csrf', `${message} Send the X-CSRF-Token header from GET /api/session.`);
    } else {
      res.status(403).type('html').send(renderPage(`${message} Reload the page and try again.`));
    }
  };
}
