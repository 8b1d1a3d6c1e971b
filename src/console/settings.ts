import { z } from 'zod';
import { validateSchedule } from '../sync/scheduler.ts';

/**
 * The console backend's settings, read from the environment once at start. The app secrets
 * stay in this object: never logged, never rendered.
 */
export interface ConsoleSettings {
  salesforce: { clientId: string; clientSecret: string } | null;
  hubspot: { clientId: string; clientSecret: string } | null;
  /**
   * The local CRM simulator's loopback origin: Salesforce production/sandbox logins and the
   * HubSpot install go there instead of the real CRMs. For the demo and tests only.
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
  SALESFORCE_CLIENT_ID: optional,
  SALESFORCE_CLIENT_SECRET: optional,
  HUBSPOT_CLIENT_ID: optional,
  HUBSPOT_CLIENT_SECRET: optional,
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

/** Reads the settings; throws ConsoleSettingsError naming each bad variable (never its value). */
export function loadConsoleSettings(env: NodeJS.ProcessEnv): ConsoleSettings {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConsoleSettingsError(`invalid console settings:\n  ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  ')}`);
  }
  const e = parsed.data;
  const problems: string[] = [];
  const salesforce = pair(e.SALESFORCE_CLIENT_ID, e.SALESFORCE_CLIENT_SECRET, 'SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET', problems);
  const hubspot = pair(e.HUBSPOT_CLIENT_ID, e.HUBSPOT_CLIENT_SECRET, 'HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET', problems);

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
    salesforce,
    hubspot,
    simulatorUrl,
    defaultSchedule: cron === '' ? null : cron,
    defaultTimezone: timezone,
    firstSync: e.KAMFLOW_FIRST_SYNC === 'scheduled' ? 'scheduled' : 'now',
  };
}
