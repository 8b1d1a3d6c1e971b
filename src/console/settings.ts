import { z } from 'zod';
import type { AppCredentials, SourceModule } from '../../connectors/shared/source-module.ts';
import { sourceModules } from '../../connectors/registry.ts';
import { validateSchedule } from '../sync/scheduler.ts';

/**
 * The console backend's settings, read from the environment once at start. The app secrets
 * stay in this object: never logged, never rendered.
 */
export interface ConsoleSettings {
  /** Each installable source's app credentials, by source id (from the variables its module names). */
  apps: Partial<Record<string, AppCredentials>>;
  /** Each source's webhook signing secret, by source id: its own variable, else the app's client secret. */
  webhookSecrets: Partial<Record<string, string>>;
  /**
   * The local CRM simulator's loopback origin: installs go there instead of the sources'
   * public hosts. For the demo and tests only.
   */
  simulatorUrl: string | null;
  /** Schedule given to a newly installed connection (null: on demand only). */
  defaultSchedule: string | null;
  defaultTimezone: string;
  /** `now`: the first sync starts as soon as the install completes; `scheduled`: at the first tick. */
  firstSync: 'now' | 'scheduled';
}

export class ConsoleSettingsError extends Error {
  override readonly name = 'ConsoleSettingsError';
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const optional = z.string().optional().transform((v) => (v === undefined || v.trim() === '' ? null : v.trim()));

const EnvSchema = z.object({
  KAMFLOW_CRM_SIMULATOR_URL: optional,
  KAMFLOW_DEFAULT_SCHEDULE: z.string().optional(),
  KAMFLOW_DEFAULT_TIMEZONE: optional,
  KAMFLOW_FIRST_SYNC: z.enum(['now', 'scheduled', '']).optional(),
  NODE_ENV: optional,
});

function pair(id: string | null, secret: string | null, names: string, problems: string[]): { clientId: string; clientSecret: string } | null {
  if (id && secret) return { clientId: id, clientSecret: secret };
  if (id || secret) problems.push(`${names}: set both, or neither to turn this install off`);
  return null;
}

const read = (env: NodeJS.ProcessEnv, name: string): string | null => {
  const v = env[name];
  return v === undefined || v.trim() === '' ? null : v.trim();
};

function appsOf(env: NodeJS.ProcessEnv, modules: readonly SourceModule[], problems: string[]): ConsoleSettings['apps'] {
  const apps: ConsoleSettings['apps'] = {};
  for (const m of modules) {
    if (!m.install) continue;
    const { clientId, clientSecret } = m.install.appEnv;
    const app = pair(read(env, clientId), read(env, clientSecret), `${clientId} and ${clientSecret}`, problems);
    if (app) apps[m.kind] = app;
  }
  return apps;
}

function webhookSecretsOf(env: NodeJS.ProcessEnv, modules: readonly SourceModule[], apps: ConsoleSettings['apps']): ConsoleSettings['webhookSecrets'] {
  const secrets: ConsoleSettings['webhookSecrets'] = {};
  for (const m of modules) {
    if (!m.webhook) continue;
    // The app's own client secret signs its webhooks unless a separate one is set.
    const own = m.webhook.secretEnv.map((name) => read(env, name)).find((v) => v !== null);
    const secret = own ?? apps[m.kind]?.clientSecret ?? (m.install ? read(env, m.install.appEnv.clientSecret) : null);
    if (secret) secrets[m.kind] = secret;
  }
  return secrets;
}

/** Reads the settings; throws ConsoleSettingsError naming each bad variable (never its value). */
export function loadConsoleSettings(env: NodeJS.ProcessEnv, modules: readonly SourceModule[] = sourceModules()): ConsoleSettings {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConsoleSettingsError(`invalid console settings:\n  ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  ')}`);
  }
  const e = parsed.data;
  const problems: string[] = [];
  const apps = appsOf(env, modules, problems);
  const webhookSecrets = webhookSecretsOf(env, modules, apps);

  let simulatorUrl: string | null = null;
  if (e.KAMFLOW_CRM_SIMULATOR_URL) {
    const raw = e.KAMFLOW_CRM_SIMULATOR_URL;
    const url = URL.canParse(raw) ? new URL(raw) : null;
    if (!url || url.protocol !== 'http:' || !LOOPBACK.has(url.hostname) || url.origin !== raw.replace(/\/+$/, '')) {
      problems.push('KAMFLOW_CRM_SIMULATOR_URL: must be a loopback origin such as http://127.0.0.1:4010');
    } else if (e.NODE_ENV === 'production') {
      // Installs would hand the CRM app secrets to whatever listens on that port.
      problems.push('KAMFLOW_CRM_SIMULATOR_URL: not allowed when NODE_ENV=production');
    } else {
      simulatorUrl = url.origin;
    }
  }

  const timezone = e.KAMFLOW_DEFAULT_TIMEZONE ?? 'UTC';
  const cron = e.KAMFLOW_DEFAULT_SCHEDULE === undefined ? '0 2 * * *' : e.KAMFLOW_DEFAULT_SCHEDULE.trim();
  const scheduleErrors = cron === '' ? validateSchedule('* * * * *', timezone) : validateSchedule(cron, timezone);
  for (const m of scheduleErrors) problems.push(`KAMFLOW_DEFAULT_SCHEDULE/KAMFLOW_DEFAULT_TIMEZONE: ${m}`);

  if (problems.length > 0) throw new ConsoleSettingsError(`invalid console settings:\n  ${problems.join('\n  ')}`);
  return {
    apps,
    webhookSecrets,
    simulatorUrl,
    defaultSchedule: cron === '' ? null : cron,
    defaultTimezone: timezone,
    firstSync: e.KAMFLOW_FIRST_SYNC === 'scheduled' ? 'scheduled' : 'now',
  };
}
