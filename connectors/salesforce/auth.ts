import { createHash, randomBytes } from 'node:crypto';
import { OAuth2 } from 'jsforce';
import { z } from 'zod';
import type { Logger } from '../../src/log.ts';
import type { TokenListener, TokenSet } from '../../src/contract/connector.ts';
import { CrmError } from '../../src/contract/errors.ts';

/**
 * OAuth 2.0 web-server flow with PKCE and the refresh of an expired session. The PKCE verifier
 * is made here rather than by jsforce (which keeps it inside one OAuth2 object), so a stateless
 * web tier can store it between the redirect and the callback.
 */

export interface OAuthAppSettings {
  loginUrl: string;
  clientId: string;
  clientSecret?: string | undefined;
  redirectUri?: string | undefined;
}

export interface PkcePair {
  verifier: string;
  challenge: string;
}

function base64url(buf: Buffer): string {
  return buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function createPkcePair(): PkcePair {
  const verifier = base64url(randomBytes(64));
  return { verifier, challenge: pkceChallenge(verifier) };
}

export function pkceChallenge(verifier: string): string {
  return base64url(createHash('sha256').update(verifier).digest());
}

/** A random value to bind the callback to the browser that started the flow. */
export function createState(): string {
  return base64url(randomBytes(24));
}

function oauth2For(app: OAuthAppSettings): OAuth2 {
  return new OAuth2({
    loginUrl: app.loginUrl,
    clientId: app.clientId,
    ...(app.clientSecret ? { clientSecret: app.clientSecret } : {}),
    ...(app.redirectUri ? { redirectUri: app.redirectUri } : {}),
  });
}

export function buildAuthorizeUrl(
  app: OAuthAppSettings & { redirectUri: string },
  params: { state: string; codeChallenge: string; scope?: string },
): string {
  return oauth2For(app).getAuthorizationUrl({
    scope: params.scope ?? 'api refresh_token',
    state: params.state,
    code_challenge: params.codeChallenge,
  });
}

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  instance_url: z.string().url(),
  id: z.string().optional(),
  issued_at: z.string().optional(),
});

/** Errors jsforce's HTTP transport throws when no answer came (the OAuth errors carry their code as the name). */
const TRANSPORT_ERRORS = new Set(['Error', 'TypeError', 'FetchError', 'AbortError', 'SystemError']);

/**
 * A failed token call as a CrmError: an OAuth error answer (its `error` code in details.code)
 * is `auth`; no answer at all, or a 5xx, is `unavailable`.
 */
function oauthFailure(e: unknown, what: string): CrmError {
  const name = e instanceof Error ? e.name : '';
  const http = /^ERROR_HTTP_(\d{3})$/.exec(name);
  if (!(e instanceof Error) || TRANSPORT_ERRORS.has(name) || (http && Number(http[1]) >= 500)) {
    return new CrmError('unavailable', `${what} failed: Salesforce did not answer (${describeOAuthError(e)})`, { crm: 'salesforce', ...(http ? { status: Number(http[1]) } : {}) });
  }
  return new CrmError('auth', `${what} failed: ${describeOAuthError(e)}`, { crm: 'salesforce', code: name, ...(http ? { status: Number(http[1]) } : {}) });
}

function describeOAuthError(e: unknown): string {
  // The OAuth error carries `error` as its name and `error_description` as its message; neither
  // holds the client secret or tokens.
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return 'unknown error';
}

function toTokenSet(raw: unknown, previousRefreshToken?: string): TokenSet {
  const parsed = tokenResponseSchema.safeParse(raw);
  if (!parsed.success) throw new CrmError('bad-response', 'Salesforce token response lacks access_token or instance_url');
  const refreshToken = parsed.data.refresh_token ?? previousRefreshToken;
  return {
    accessToken: parsed.data.access_token,
    ...(refreshToken ? { refreshToken } : {}),
    instanceUrl: parsed.data.instance_url.replace(/\/+$/, ''),
  };
}

/**
 * Exchanges the authorization code (with its PKCE verifier) for tokens and the instance URL;
 * `identityUrl`: the token response's `id` (`.../id/<orgId>/<userId>`), apart from the tokens.
 */
export async function exchangeCode(
  app: OAuthAppSettings & { redirectUri: string },
  code: string,
  codeVerifier: string,
): Promise<TokenSet & { identityUrl?: string }> {
  let raw: unknown;
  try {
    raw = await oauth2For(app).requestToken(code, { code_verifier: codeVerifier });
  } catch (e) {
    throw oauthFailure(e, 'Salesforce code exchange');
  }
  const id = tokenResponseSchema.safeParse(raw).data?.id;
  return { ...toTokenSet(raw), ...(id ? { identityUrl: id } : {}) };
}

/**
 * Refreshes the access token, at most one refresh at a time: callers that hit an expired session
 * while a refresh runs wait for it instead of starting another (Salesforce rejects concurrent
 * refreshes of one refresh token).
 */
export class TokenRefresher {
  private inFlight: Promise<TokenSet> | null = null;
  private current: TokenSet | null = null;
  private refreshes = 0;

  constructor(
    private readonly app: OAuthAppSettings,
    private refreshToken: string,
    private readonly onTokens: TokenListener | undefined,
    private readonly logger: Logger,
  ) {}

  get count(): number {
    return this.refreshes;
  }

  /**
   * New tokens for a request that failed with `staleAccessToken`. When another caller already
   * refreshed past that token, its result is returned without a new call.
   */
  async refresh(staleAccessToken: string | undefined): Promise<TokenSet> {
    if (this.inFlight) return this.inFlight;
    if (this.current && staleAccessToken !== undefined && this.current.accessToken !== staleAccessToken) return this.current;
    this.inFlight = this.doRefresh().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async doRefresh(): Promise<TokenSet> {
    let raw: unknown;
    try {
      raw = await oauth2For(this.app).refreshToken(this.refreshToken);
    } catch (e) {
      throw oauthFailure(e, 'Salesforce token refresh');
    }
    const tokens = toTokenSet(raw, this.refreshToken);
    if (tokens.refreshToken) this.refreshToken = tokens.refreshToken;
    this.current = tokens;
    this.refreshes += 1;
    this.logger.info({ instanceUrl: tokens.instanceUrl }, 'salesforce session refreshed');
    if (this.onTokens) await this.onTokens(tokens);
    return tokens;
  }
}
