import { z } from 'zod';
import { isPasswordHash } from './password.ts';

/**
 * The server's settings, read from the environment once at start. Secrets stay in this object
 * and are never logged or rendered.
 */
export interface ServerConfig {
  host: string;
  port: number;
  /** The public origin the CRM and the browser reach us at (OAuth redirect URIs, webhook URI). */
  publicUrl: string;
  /** Cookies get `Secure` and the `__Host-` prefix; off only for plain-http local use. */
  secureCookies: boolean;
  /** Signs session cookies; a random per-process key when unset (sessions end on restart). */
  sessionSecret: string;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  adminUser: string;
  /** scrypt hash, see password.ts; when unset the backend's stored hash is used. */
  adminPasswordHash: string | null;
  /** Lets the first-run setup page store a password hash; only used when no hash exists. */
  setupToken: string | null;
  /** express `trust proxy`: how many proxies sit in front, for the client IP in rate limits. */
  trustProxy: number;
  loginLimit: { perIp: number; perUser: number; windowMinutes: number };
  /**
   * Origins the console's forms may lead to besides itself and https sites: the CRM consent
   * page is reached through a form, and browsers apply CSP form-action to its redirect. Only
   * needed for a plain-http CRM such as the local sandbox.
   */
  extraFormActionOrigins: string[];
}

const intFrom = (fallback: number, min: number, max: number) =>
  z.string().optional().transform((v, ctx) => {
    if (v === undefined || v === '') return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `must be an integer from ${min} to ${max}` });
      return z.NEVER;
    }
    return n;
  });

const optionalSecret = z.string().optional().transform((v) => (v === undefined || v === '' ? null : v));

const EnvSchema = z.object({
  KAMFLOW_HOST: z.string().min(1).default('127.0.0.1'),
  KAMFLOW_PORT: intFrom(3000, 0, 65535),
  KAMFLOW_PUBLIC_URL: z.string().optional(),
  KAMFLOW_INSECURE_COOKIES: z.enum(['true', 'false', '']).optional(),
  KAMFLOW_SESSION_SECRET: z.string().optional().refine((v) => v === undefined || v === '' || v.length >= 32, {
    message: 'must be at least 32 characters',
  }),
  KAMFLOW_SESSION_IDLE_MINUTES: intFrom(30, 1, 24 * 60),
  KAMFLOW_SESSION_MAX_HOURS: intFrom(12, 1, 24 * 30),
  KAMFLOW_ADMIN_USER: z.string().min(1).max(100).default('admin'),
  KAMFLOW_ADMIN_PASSWORD_HASH: optionalSecret.refine((v) => v === null || isPasswordHash(v), {
    message: "is not a Kamflow password hash (scrypt$15$8$1$<salt>$<key>): make one with printf '%s' 'a long password' | npm run --silent hash-password, and quote it in .env files (it holds $ signs)",
  }),
  KAMFLOW_SETUP_TOKEN: optionalSecret.refine((v) => v === null || v.length >= 16, { message: 'must be at least 16 characters' }),
  KAMFLOW_TRUST_PROXY: intFrom(0, 0, 10),
  KAMFLOW_LOGIN_LIMIT_PER_IP: intFrom(20, 1, 10_000),
  KAMFLOW_LOGIN_LIMIT_PER_USER: intFrom(5, 1, 10_000),
  KAMFLOW_LOGIN_LIMIT_WINDOW_MINUTES: intFrom(15, 1, 24 * 60),
  KAMFLOW_CSP_EXTRA_FORM_ACTION: z.string().optional().transform((v, ctx) => {
    const origins = (v ?? '').split(/\s+/).filter((o) => o !== '');
    for (const o of origins) {
      if (!URL.canParse(o) || new URL(o).origin !== o) {
        ctx.addIssue({ code: 'custom', message: `"${o.slice(0, 100)}" is not an origin like http://127.0.0.1:4010` });
      }
    }
    return origins;
  }),
});

export class ServerConfigError extends Error {
  override readonly name = 'ServerConfigError';
}

/** Reads the settings; throws ServerConfigError naming each bad variable (never its value). */
export function loadServerConfig(env: NodeJS.ProcessEnv, randomSecret: () => string): ServerConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ServerConfigError(`invalid server settings:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const publicUrl = (e.KAMFLOW_PUBLIC_URL ?? `http://${e.KAMFLOW_HOST}:${e.KAMFLOW_PORT}`).replace(/\/+$/, '');
  if (!URL.canParse(publicUrl) || !/^https?:$/.test(new URL(publicUrl).protocol)) {
    throw new ServerConfigError('invalid server settings:\n  KAMFLOW_PUBLIC_URL: must be an http(s) URL');
  }
  return {
    host: e.KAMFLOW_HOST,
    port: e.KAMFLOW_PORT,
    publicUrl,
    secureCookies: e.KAMFLOW_INSECURE_COOKIES !== 'true',
    sessionSecret: e.KAMFLOW_SESSION_SECRET ? e.KAMFLOW_SESSION_SECRET : randomSecret(),
    sessionIdleMinutes: e.KAMFLOW_SESSION_IDLE_MINUTES,
    sessionMaxHours: e.KAMFLOW_SESSION_MAX_HOURS,
    adminUser: e.KAMFLOW_ADMIN_USER,
    adminPasswordHash: e.KAMFLOW_ADMIN_PASSWORD_HASH,
    setupToken: e.KAMFLOW_SETUP_TOKEN,
    trustProxy: e.KAMFLOW_TRUST_PROXY,
    loginLimit: {
      perIp: e.KAMFLOW_LOGIN_LIMIT_PER_IP,
      perUser: e.KAMFLOW_LOGIN_LIMIT_PER_USER,
      windowMinutes: e.KAMFLOW_LOGIN_LIMIT_WINDOW_MINUTES,
    },
    extraFormActionOrigins: e.KAMFLOW_CSP_EXTRA_FORM_ACTION,
  };
}

/**
 * Settings that still hold the placeholder values of .env.example (or a copy of them): names
 * only, never the values. `kamflow serve` refuses to start on them unless told it is a demo.
 */
export function placeholderSettings(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !/^(KAMFLOW|SALESFORCE|HUBSPOT)_/.test(name)) continue;
    const v = value.trim();
    const placeholder = /^replace-with-/i.test(v) || /^your-/i.test(v) || /^https?:\/\/([a-z0-9-]+\.)*example\.com(\/|:|$)/i.test(v)
      || /^https:\/\/your-domain\./i.test(v);
    if (placeholder) out.push(name);
  }
  return out.sort();
}
