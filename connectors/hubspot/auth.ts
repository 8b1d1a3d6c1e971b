import { Client } from '@hubspot/api-client';
import { z } from 'zod';
import { CrmError } from '../../src/contract/errors.ts';
import type { TokenListener, TokenSet } from '../../src/contract/connector.ts';
import type { Logger } from '../../src/log.ts';
import { silentLogger } from '../../src/log.ts';
import type { HubSpotAuth } from './options.ts';
import { inspectFailure } from './failures.ts';
import { callWithPolicy } from '../shared/call-policy.ts';
import { realSleep, type Sleep } from '../shared/sleep.ts';

/** What Kamflow reads and writes; association reads are covered by the object read scopes. */
export const HUBSPOT_SCOPES = [
  'oauth',
  'crm.objects.companies.read',
  'crm.objects.companies.write',
  'crm.objects.contacts.read',
  // Tasks for account owners (Activities | Tasks: the tasks API asks for the contacts scopes).
  'crm.objects.contacts.write',
  'crm.objects.deals.read',
  'crm.objects.line_items.read',
  'crm.objects.owners.read',
  'crm.schemas.companies.read',
  'crm.schemas.companies.write',
  'e-commerce',
  // The company currency and exchange rates (Settings API | Currencies).
  'settings.currencies.read',
] as const;

export interface AuthorizeUrlInput {
  clientId: string;
  redirectUri: string;
  state: string;
  /** Default https://app.hubspot.com; the sandbox serves its own. */
  authorizeHost?: string;
  scopes?: readonly string[];
  optionalScopes?: readonly string[];
}

export function buildAuthorizeUrl(input: AuthorizeUrlInput): string {
  const host = (input.authorizeHost ?? 'https://app.hubspot.com').replace(/\/+$/, '');
  const url = new URL(`${host}/oauth/authorize`);
  url.searchParams.set('client_id', input.clientId);
  url.searchParams.set('scope', (input.scopes ?? HUBSPOT_SCOPES).join(' '));
  if (input.optionalScopes && input.optionalScopes.length > 0) url.searchParams.set('optional_scope', input.optionalScopes.join(' '));
  url.searchParams.set('redirect_uri', input.redirectUri);
  url.searchParams.set('state', input.state);
  return url.toString();
}

const tokenResponseSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  expiresIn: z.number().positive(),
});

interface TokenCall {
  basePath: string;
  clientId: string;
  clientSecret: string;
  redirectUri?: string | undefined;
  now?: () => number;
  retries?: number;
  minDelayMs?: number;
  sleep?: Sleep;
}

/** A token call HubSpot refused (4xx): final, never retried. */
class Refused extends Error {
  constructor(readonly error: CrmError) {
    super(error.message);
  }
}

async function requestTokens(call: TokenCall, grant: 'authorization_code' | 'refresh_token', secret: string): Promise<TokenSet> {
  const client = new Client({ basePath: call.basePath });
  const now = call.now ?? Date.now;
  const send = async (): Promise<unknown> => {
    try {
      const info = await client.oauth.tokensApi.createWithHttpInfo(
        grant,
        grant === 'authorization_code' ? secret : undefined,
        call.redirectUri,
        call.clientId,
        call.clientSecret,
        grant === 'refresh_token' ? secret : undefined,
      );
      return info.data;
    } catch (e) {
      const f = inspectFailure(e);
      // Never echo the request: it carried the client secret and the code or refresh token.
      if (f.status !== null && f.status < 500) {
        throw new Refused(new CrmError('auth', `HubSpot refused the ${grant === 'refresh_token' ? 'token refresh' : 'authorization code'} (HTTP ${f.status}${f.category ? ` ${f.category}` : ''}): ${f.message}; the app must be installed again`, { status: f.status, crm: 'hubspot', ...(f.category ? { code: f.category } : {}) }));
      }
      throw new CrmError('unavailable', `HubSpot token endpoint unavailable (${f.status === null ? 'network error' : `HTTP ${f.status}`})`, { crm: 'hubspot' });
    }
  };
  const raw = await callWithPolicy(send, {
    retries: call.retries ?? 3, minDelayMs: call.minDelayMs ?? 500, maxDelayMs: 30_000, sleep: call.sleep ?? realSleep,
    decide: (e) => (e instanceof Refused ? { action: 'fail', error: e.error } : { action: 'retry', waitMs: 'backoff', reason: 'token endpoint unavailable' }),
    exhausted: (e) => (e instanceof Error ? e : new CrmError('unavailable', 'HubSpot token endpoint unavailable', { crm: 'hubspot' })),
  });
  const parsed = tokenResponseSchema.safeParse(raw);
  if (!parsed.success) throw new CrmError('bad-response', 'HubSpot token response lacks access_token or expires_in', { crm: 'hubspot' });
  const tokens: TokenSet = { accessToken: parsed.data.accessToken, expiresAt: now() + parsed.data.expiresIn * 1000 };
  if (parsed.data.refreshToken) tokens.refreshToken = parsed.data.refreshToken;
  return tokens;
}

/** Trades the code from the install redirect for tokens (POST {base}/oauth/v1/token). */
export function exchangeCode(call: TokenCall & { code: string }): Promise<TokenSet> {
  return requestTokens(call, 'authorization_code', call.code);
}

export interface TokenManagerDeps {
  basePath: string;
  refreshAheadMs: number;
  onTokens?: TokenListener | undefined;
  logger?: Logger | undefined;
  now: () => number;
  /** Counts token calls in the connection's usage. */
  count: (kind: string) => void;
  retries?: number;
  minDelayMs?: number;
  sleep?: Sleep;
}

/**
 * The access token of one connection. OAuth tokens are refreshed ahead of expiry, one refresh
 * at a time however many calls ask, and every new set goes to `onTokens` to be persisted.
 */
export class TokenManager {
  private current: { accessToken: string; refreshToken?: string; expiresAt?: number };
  private refreshing: Promise<string> | null = null;
  private readonly log: Logger;

  constructor(
    private readonly auth: HubSpotAuth,
    private readonly deps: TokenManagerDeps,
  ) {
    this.current = auth.kind === 'private-app'
      ? { accessToken: auth.token }
      : { accessToken: auth.accessToken, refreshToken: auth.refreshToken, expiresAt: auth.expiresAt };
    this.log = deps.logger ?? silentLogger;
  }

  get canRefresh(): boolean {
    return this.auth.kind === 'oauth';
  }

  async accessToken(): Promise<string> {
    if (this.refreshing) return this.refreshing;
    const { expiresAt } = this.current;
    if (this.auth.kind === 'oauth' && expiresAt !== undefined && expiresAt - this.deps.now() <= this.deps.refreshAheadMs) {
      return this.refresh();
    }
    return this.current.accessToken;
  }

  /** Refreshes now (e.g. after a 401); joins a refresh already under way. */
  refresh(): Promise<string> {
    if (this.refreshing) return this.refreshing;
    this.refreshing = this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<string> {
    const auth = this.auth;
    if (auth.kind !== 'oauth' || !this.current.refreshToken) {
      throw new CrmError('auth', 'HubSpot rejected the private-app token; check the token and its scopes', { crm: 'hubspot' });
    }
    this.deps.count('oauthRefresh');
    const call: TokenCall = {
      basePath: this.deps.basePath,
      clientId: auth.clientId,
      clientSecret: auth.clientSecret,
      redirectUri: auth.redirectUri,
      now: this.deps.now,
    };
    if (this.deps.retries !== undefined) call.retries = this.deps.retries;
    if (this.deps.minDelayMs !== undefined) call.minDelayMs = this.deps.minDelayMs;
    if (this.deps.sleep !== undefined) call.sleep = this.deps.sleep;
    const tokens = await requestTokens(call, 'refresh_token', this.current.refreshToken);
    // HubSpot keeps the refresh token across refreshes; keep ours when none comes back.
    const next: TokenSet = { ...tokens, refreshToken: tokens.refreshToken ?? this.current.refreshToken };
    this.current = { accessToken: next.accessToken, refreshToken: next.refreshToken ?? this.current.refreshToken, ...(next.expiresAt !== undefined ? { expiresAt: next.expiresAt } : {}) };
    this.log.info({ expiresAt: next.expiresAt }, 'hubspot access token refreshed');
    if (this.deps.onTokens) await this.deps.onTokens(next);
    return next.accessToken;
  }
}
