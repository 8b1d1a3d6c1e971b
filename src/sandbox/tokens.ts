import { createHash } from 'node:crypto';
import type { Prng } from './prng.ts';

export type Crm = 'salesforce' | 'hubspot';

export interface TokenInfo {
  crm: Crm;
  kind: 'access' | 'refresh';
  /** Issue order, used by the expired-token fault. */
  serial: number;
  /** Epoch ms after which an access token is expired (HubSpot's 30 minutes); none for Salesforce. */
  expiresAt: number | null;
  /** A HubSpot private-app token carries the daily-limit headers. */
  privateApp: boolean;
  revoked: boolean;
  /** The OAuth scopes granted (Salesforce); null: everything (tokens the simulator hands out itself). */
  scopes: readonly string[] | null;
}

export interface AuthCode {
  crm: Crm;
  clientId: string;
  redirectUri: string;
  codeChallenge: string | null;
  /** The scopes asked for at authorize; null when none were named (the app's own then apply). */
  scope?: readonly string[] | null;
  used: boolean;
}

/** Access and refresh tokens and authorization codes of both simulated CRMs. */
export class TokenRegistry {
  private readonly tokens = new Map<string, TokenInfo>();
  private readonly codes = new Map<string, AuthCode>();
  private serial = 0;

  constructor(private readonly prng: Prng) {}

  get lastSerial(): number {
    return this.serial;
  }

  private random(len: number): string {
    let s = '';
    while (s.length < len) s += Math.floor(this.prng.next() * 2 ** 32).toString(36);
    return s.slice(0, len);
  }

  issue(crm: Crm, kind: 'access' | 'refresh', options: { ttlMs?: number; privateApp?: boolean; now: number; scopes?: readonly string[] | null }): string {
    this.serial += 1;
    const prefix = crm === 'salesforce' ? (kind === 'access' ? '00DKf0sandbox!' : '5Aep86') : kind === 'access' ? 'CKX' : 'na1-';
    const token = `${prefix}${this.random(40)}${this.serial}`;
    this.tokens.set(token, {
      crm,
      kind,
      serial: this.serial,
      expiresAt: options.ttlMs !== undefined ? options.now + options.ttlMs : null,
      privateApp: options.privateApp ?? false,
      revoked: false,
      scopes: options.scopes ?? null,
    });
    return token;
  }

  lookup(token: string): TokenInfo | undefined {
    return this.tokens.get(token);
  }

  /** Ends every access token of one CRM (as if their sessions had timed out). */
  expireAccessTokens(crm: Crm): void {
    for (const info of this.tokens.values()) if (info.crm === crm && info.kind === 'access' && !info.privateApp) info.revoked = true;
  }

  /** Revokes every token of one CRM, refresh tokens and private-app tokens included (an uninstall). */
  revokeAll(crm: Crm): void {
    for (const info of this.tokens.values()) if (info.crm === crm) info.revoked = true;
  }

  newCode(code: Omit<AuthCode, 'used'>): string {
    const value = `aPrx${this.random(32)}`;
    this.codes.set(value, { ...code, used: false });
    return value;
  }

  takeCode(value: string): AuthCode | undefined {
    const code = this.codes.get(value);
    if (!code || code.used) return undefined;
    code.used = true;
    return code;
  }
}

/** base64url(SHA-256(verifier)), the PKCE S256 challenge. */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}
