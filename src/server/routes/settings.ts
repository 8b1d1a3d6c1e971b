import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { ConnectionHealth, ConsoleBackend } from '../backend.ts';
import { parseOr400, sessionOf } from '../http.ts';
import type { Session } from '../sessions.ts';
import { messagePage } from '../views/auth.ts';
import { path } from '../views/layout.ts';
import { settingsPage } from '../views/settings.ts';
import { ConnectionParams } from './params.ts';

const SettingsBody = z.looseObject({}).transform((body) => {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === '_csrf' || typeof value !== 'string') continue;
    if (key === 'name' || key === 'safetyGateShare' || key === 'apiReserve' || /^opt\.[A-Za-z][A-Za-z0-9]{0,60}$/.test(key)) values[key] = value.slice(0, 300);
  }
  return values;
});
const DisconnectBody = z.looseObject({ data: z.enum(['keep', 'delete'], { message: 'choose whether to keep or delete the pulled data' }) });
const DeleteBody = z.looseObject({ confirm: z.literal('yes', { message: 'tick the box to confirm the deletion' }) });

/** A connection's settings page, disconnect and delete. Mounted behind login and CSRF checks. */
export function settingsRoutes(backend: ConsoleBackend): Router {
  const router = Router();
  const bad = (req: Request) => (m: string) => messagePage(sessionOf(req), 'Bad request', m);
  const load = async (req: Request, res: Response): Promise<{ session: Session; c: ConnectionHealth } | null> => {
    const params = parseOr400(ConnectionParams, { id: req.params['id'] }, 'params', req, res, bad(req));
    const session = sessionOf(req);
    if (!params || !session) return null;
    const c = backend.getSettings ? await backend.getConnection(params.id) : null;
    if (!c) {
      res.status(404).type('html').send(messagePage(session, 'Not found', 'This connection does not exist.'));
      return null;
    }
    return { session, c };
  };

  router.get('/connections/:id/settings', async (req, res) => {
    const ctx = await load(req, res);
    if (!ctx || !backend.getSettings) return;
    const view = await backend.getSettings(ctx.c.id);
    if (!view) return;
    res.type('html').send(settingsPage(ctx.session, ctx.c, view));
  });

  router.post('/connections/:id/settings', async (req, res) => {
    const ctx = await load(req, res);
    if (!ctx || !backend.saveSettings || !backend.getSettings) return;
    const values = parseOr400(SettingsBody, req.body, 'body', req, res, bad(req));
    if (!values) return;
    const saved = await backend.saveSettings(ctx.c.id, values);
    if (!saved.ok) {
      const view = await backend.getSettings(ctx.c.id);
      if (!view) return;
      res.status(422).type('html').send(settingsPage(ctx.session, ctx.c, view, saved.errors, values));
      return;
    }
    ctx.session.flash = { kind: 'ok', message: saved.changed.length ? `Saved: ${saved.changed.join(', ')}.` : 'Nothing changed.' };
    res.redirect(303, path('connections', ctx.c.id, 'settings'));
  });

  router.post('/connections/:id/settings/disconnect', async (req, res) => {
    const ctx = await load(req, res);
    if (!ctx || !backend.disconnect) return;
    const body = parseOr400(DisconnectBody, req.body, 'body', req, res, bad(req));
    if (!body) return;
    const done = await backend.disconnect(ctx.c.id, body.data === 'delete');
    ctx.session.flash = { kind: done.ok ? 'ok' : 'error', message: done.message };
    res.redirect(303, path('connections', ctx.c.id));
  });

  router.post('/connections/:id/settings/delete', async (req, res) => {
    const ctx = await load(req, res);
    if (!ctx || !backend.deleteConnection) return;
    const body = parseOr400(DeleteBody, req.body, 'body', req, res, bad(req));
    if (!body) return;
    const done = await backend.deleteConnection(ctx.c.id);
    ctx.session.flash = { kind: done.ok ? 'ok' : 'error', message: done.message };
    res.redirect(303, done.ok ? '/' : path('connections', ctx.c.id));
  });

  return router;
}
