import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { pkceChallenge } from '../tokens.ts';
import type { HsContext } from './context.ts';

const ACCESS_TTL_MS = 1800 * 1000;
/** The simulated portal's id. */
export const HUB_ID = 24681357;

/** What an install of the app grants in the simulated portal. */
const GRANTED_SCOPES = [
  'oauth', 'crm.objects.companies.read', 'crm.objects.companies.write', 'crm.objects.contacts.read', 'crm.objects.contacts.write', 'crm.objects.deals.read',
  'crm.objects.line_items.read', 'crm.objects.owners.read', 'crm.schemas.companies.read', 'crm.schemas.companies.write', 'settings.currencies.read',
] as const;

const authorizeQuery = z.object({
  client_id: z.string().min(1),
  redirect_uri: z.string().url(),
  scope: z.string().optional(),
  optional_scope: z.string().optional(),
  state: z.string().optional(),
  code_challenge: z.string().optional(),
});

const tokenBody = z.discriminatedUnion('grant_type', [
  z.object({
    grant_type: z.literal('authorization_code'),
    code: z.string().min(1),
    client_id: z.string().min(1),
    client_secret: z.string().min(1),
    redirect_uri: z.string().min(1),
    code_verifier: z.string().optional(),
  }),
  z.object({
    grant_type: z.literal('refresh_token'),
    refresh_token: z.string().min(1),
    client_id: z.string().min(1),
    client_secret: z.string().min(1),
    redirect_uri: z.string().optional(),
  }),
]);

/**
 * OAuth errors carry the spec's required Error fields (`category`, `correlationId`, `message`;
 * auth-oauth v1 spec, components.schemas.Error) besides the `status` code HubSpot sends.
 */
function badGrant(ctx: HsContext, res: Response, status: string, message: string): void {
  res.status(400).json({ status, category: status, message, correlationId: ctx.correlationId() });
}

export function hubspotAuthRoutes(ctx: HsContext): Router {
  const r = express.Router();

  r.get('/oauth/authorize', (req: Request, res: Response) => {
    const q = authorizeQuery.safeParse(req.query);
    if (!q.success || q.data.client_id !== ctx.clientId) {
      res.status(400).type('text/plain').send('Invalid authorization request: check client_id and redirect_uri');
      return;
    }
    const code = ctx.tokens.newCode({ crm: 'hubspot', clientId: q.data.client_id, redirectUri: q.data.redirect_uri, codeChallenge: q.data.code_challenge ?? null });
    const target = new URL(q.data.redirect_uri);
    target.searchParams.set('code', code);
    if (q.data.state !== undefined) target.searchParams.set('state', q.data.state);
    res.redirect(302, target.toString());
  });

  r.post('/oauth/v1/token', express.urlencoded({ extended: false }), (req: Request, res: Response) => {
    ctx.calls.add('hubspot', 'token');
    const body = tokenBody.safeParse(req.body);
    if (!body.success) {
      badGrant(ctx, res, 'BAD_REQUEST', `missing or unknown parameters: ${body.error.issues.map((i) => i.path.join('.')).join(', ')}`);
      return;
    }
    const b = body.data;
    if (b.client_id !== ctx.clientId || b.client_secret !== ctx.clientSecret) {
      badGrant(ctx, res, 'BAD_CLIENT_ID', 'missing or invalid client_id / client_secret');
      return;
    }
    if (b.grant_type === 'authorization_code') {
      const code = ctx.tokens.takeCode(b.code);
      if (!code || code.crm !== 'hubspot' || code.redirectUri !== b.redirect_uri) {
        badGrant(ctx, res, 'BAD_AUTH_CODE', 'missing or unknown auth code');
        return;
      }
      if (code.codeChallenge !== null && (b.code_verifier === undefined || pkceChallenge(b.code_verifier) !== code.codeChallenge)) {
        badGrant(ctx, res, 'BAD_AUTH_CODE', 'code_verifier does not match the code_challenge');
        return;
      }
    } else {
      const info = ctx.tokens.lookup(b.refresh_token);
      if (!info || info.crm !== 'hubspot' || info.kind !== 'refresh' || info.revoked) {
        badGrant(ctx, res, 'BAD_REFRESH_TOKEN', 'missing or unknown refresh token');
        return;
      }
    }
    const now = Date.now();
    const access = ctx.tokens.issue('hubspot', 'access', { now, ttlMs: ACCESS_TTL_MS });
    const refresh = b.grant_type === 'refresh_token' ? b.refresh_token : ctx.tokens.issue('hubspot', 'refresh', { now });
    // AccessTokenResponse (auth-oauth v1 spec): access_token, refresh_token, expires_in,
    // token_type and token_use are required; hub_id, scopes and user_id come along.
    res.json({
      access_token: access, refresh_token: refresh, expires_in: 1800, token_type: 'bearer', token_use: 'access_token',
      hub_id: HUB_ID, user_id: 5001, scopes: [...GRANTED_SCOPES],
    });
  });
  r.get('/oauth/v1/access-tokens/:token', (req: Request, res: Response) => {
    ctx.calls.add('hubspot', 'tokenInfo');
    const token = String(req.params['token']);
    const info = ctx.tokens.lookup(token);
    if (!info || info.crm !== 'hubspot' || info.kind !== 'access' || info.revoked || (info.expiresAt !== null && info.expiresAt < Date.now())) {
      res.status(404).json({ status: 'error', message: 'Token not found or expired', correlationId: ctx.correlationId(), category: 'OBJECT_NOT_FOUND' });
      return;
    }
    res.json({
      token,
      user: 'integration@sandbox.invalid',
      hub_domain: 'sandbox.hubspot.invalid',
      scopes: [...GRANTED_SCOPES],
      hub_id: HUB_ID,
      app_id: 1001,
      expires_in: info.expiresAt === null ? 0 : Math.max(0, Math.round((info.expiresAt - Date.now()) / 1000)),
      user_id: 5001,
      token_type: 'access',
    });
  });
  return r;
}
