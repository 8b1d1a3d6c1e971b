import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { pkceChallenge } from '../tokens.ts';
import type { SfContext } from './context.ts';
import { sfApiGate } from './middleware.ts';
import { allowsRefresh, SF_APP_SCOPES, SF_KNOWN_SCOPES } from './scopes.ts';



const authorizeQuery = z.object({
  response_type: z.literal('code'),
  client_id: z.string().min(1),
  redirect_uri: z.string().url(),
  state: z.string().optional(),
  code_challenge: z.string().optional(),
  code_challenge_method: z.string().optional(),
  scope: z.string().optional(),
});

const tokenBody = z.discriminatedUnion('grant_type', [
  z.object({
    grant_type: z.literal('authorization_code'),
    code: z.string().min(1),
    client_id: z.string().min(1),
    client_secret: z.string().optional(),
    redirect_uri: z.string().min(1),
    code_verifier: z.string().optional(),
  }),
  z.object({
    grant_type: z.literal('refresh_token'),
    refresh_token: z.string().min(1),
    client_id: z.string().min(1),
    client_secret: z.string().optional(),
  }),
]);

function oauthError(res: Response, error: string, description: string, status = 400): void {
  res.status(status).json({ error, error_description: description });
}

/** The identity URL Salesforce puts in the token response's `id`. */
function identityUrl(ctx: SfContext): string {
  return `${ctx.baseUrl()}/id/${ctx.store.orgId}/${ctx.store.integrationUserId}`;
}

/**
 * Issues a token response like Salesforce's (no expires_in): `scope` lists what was granted,
 * and a refresh token comes only with the refresh_token (offline_access) scope.
 */
export function issueSfTokens(ctx: SfContext, withRefresh: boolean, scopes: readonly string[] | null = null): Record<string, string> {
  const now = ctx.clock.peek();
  const access = ctx.tokens.issue('salesforce', 'access', { now, scopes });
  const out: Record<string, string> = {
    access_token: access,
    signature: Buffer.from(access.slice(-16)).toString('base64'),
    scope: (scopes ?? SF_APP_SCOPES).join(' '),
    instance_url: ctx.baseUrl(),
    id: identityUrl(ctx),
    token_type: 'Bearer',
    issued_at: String(now),
  };
  if (withRefresh && allowsRefresh(scopes)) out['refresh_token'] = ctx.tokens.issue('salesforce', 'refresh', { now, scopes });
  return out;
}

/** The authorize error redirect Salesforce sends back to a registered callback. */
function authorizeError(res: Response, redirectUri: string, state: string | undefined, error: string, description: string): void {
  const target = new URL(redirectUri);
  target.searchParams.set('error', error);
  target.searchParams.set('error_description', description);
  if (state !== undefined) target.searchParams.set('state', state);
  res.redirect(302, target.toString());
}

export function salesforceAuthRoutes(ctx: SfContext): Router {
  const r = express.Router();
  const form = express.urlencoded({ extended: false });

  r.get('/services/oauth2/authorize', (req: Request, res: Response) => {
    const q = authorizeQuery.safeParse(req.query);
    if (!q.success) {
      res.status(400).type('text/plain').send(`OAuth error: invalid_request (${q.error.issues.map((i) => i.path.join('.')).join(', ')})`);
      return;
    }
    if (q.data.client_id !== ctx.clientId) {
      res.status(400).type('text/plain').send('OAuth error: invalid_client_id (client identifier invalid)');
      return;
    }
    const q2 = q.data;
    // The External Client App requires PKCE (its "Require Proof Key for Code Exchange" setting), S256 only.
    if (q2.code_challenge === undefined) {
      authorizeError(res, q2.redirect_uri, q2.state, 'invalid_request', 'missing required code challenge');
      return;
    }
    if (q2.code_challenge_method !== undefined && q2.code_challenge_method !== 'S256') {
      authorizeError(res, q2.redirect_uri, q2.state, 'invalid_request', 'unsupported code challenge method');
      return;
    }
    let scope: string[] | null = null;
    if (q2.scope !== undefined && q2.scope.trim() !== '') {
      const asked = q2.scope.trim().split(/\s+/);
      if (asked.some((x) => !SF_KNOWN_SCOPES.has(x))) {
        authorizeError(res, q2.redirect_uri, q2.state, 'invalid_scope', 'the requested scope is not allowed');
        return;
      }
      // Only what the app is set up with is granted.
      scope = asked.filter((x) => (SF_APP_SCOPES as readonly string[]).includes(x) || (x === 'offline_access' && SF_APP_SCOPES.includes('refresh_token')));
    }
    const code = ctx.tokens.newCode({
      crm: 'salesforce',
      clientId: q2.client_id,
      redirectUri: q2.redirect_uri,
      codeChallenge: q2.code_challenge,
      scope,
    });
    const target = new URL(q2.redirect_uri);
    target.searchParams.set('code', code);
    if (q2.state !== undefined) target.searchParams.set('state', q2.state);
    res.redirect(302, target.toString());
  });

  r.post('/services/oauth2/token', form, (req: Request, res: Response) => {
    ctx.calls.add('salesforce', 'token');
    const body = tokenBody.safeParse(req.body);
    if (!body.success) {
      oauthError(res, 'unsupported_grant_type', 'grant type not supported or parameters missing');
      return;
    }
    const b = body.data;
    if (b.client_id !== ctx.clientId) {
      oauthError(res, 'invalid_client_id', 'client identifier invalid');
      return;
    }
    // The app requires its secret for the web-server and refresh token flows (the default
    // "Require secret for Web Server Flow" / "Require secret for Refresh Token Flow" settings).
    if (b.client_secret === undefined || b.client_secret !== ctx.clientSecret) {
      oauthError(res, 'invalid_client', 'invalid client credentials');
      return;
    }
    if (b.grant_type === 'authorization_code') {
      const code = ctx.tokens.takeCode(b.code);
      if (!code || code.crm !== 'salesforce' || code.clientId !== b.client_id) {
        oauthError(res, 'invalid_grant', 'invalid authorization code');
        return;
      }
      if (code.redirectUri !== b.redirect_uri) {
        oauthError(res, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
        return;
      }
      if (code.codeChallenge !== null) {
        if (b.code_verifier === undefined) {
          oauthError(res, 'invalid_grant', 'invalid code verifier');
          return;
        }
        if (pkceChallenge(b.code_verifier) !== code.codeChallenge) {
          oauthError(res, 'invalid_request', 'invalid code verifier');
          return;
        }
      }
      res.json(issueSfTokens(ctx, true, code.scope ?? null));
      return;
    }
    const info = ctx.tokens.lookup(b.refresh_token);
    if (!info || info.crm !== 'salesforce' || info.kind !== 'refresh' || info.revoked) {
      oauthError(res, 'invalid_grant', 'expired access/refresh token');
      return;
    }
    res.json(issueSfTokens(ctx, false, info.scopes));
  });

  const gate = sfApiGate(ctx);
  const identity = (_req: Request, res: Response): void => {
    const user = ctx.store.get('User', ctx.store.integrationUserId);
    res.json({
      sub: identityUrl(ctx),
      id: identityUrl(ctx),
      user_id: ctx.store.integrationUserId,
      organization_id: ctx.store.orgId,
      preferred_username: 'integration@sandbox.invalid',
      username: 'integration@sandbox.invalid',
      name: user?.['Name'] ?? 'Integration User',
      display_name: user?.['Name'] ?? 'Integration User',
      email: 'integration@sandbox.invalid',
      active: true,
      user_type: 'STANDARD',
      language: 'en_US',
      locale: 'en_US',
      utcOffset: 0,
      urls: {
        rest: `${ctx.baseUrl()}/services/data/v{version}/`,
        sobjects: `${ctx.baseUrl()}/services/data/v{version}/sobjects/`,
        query: `${ctx.baseUrl()}/services/data/v{version}/query/`,
      },
    });
  };
  r.get('/services/oauth2/userinfo', gate, identity);
  r.get('/id/:org/:user', gate, identity);
  return r;
}
