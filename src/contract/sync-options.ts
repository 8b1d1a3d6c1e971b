import { z } from 'zod';

/**
 * The options of a connection that belong to the sync engine, not to its connector. They are
 * stored with the connector's own options (one `--option KEY=VALUE` namespace) and parsed here,
 * once, into typed values; a connector never sees them.
 */
/**
 * Whose value wins when someone other than Kamflow changed one of its fields since Kamflow last
 * wrote it: `respect-edits` keeps the person's value and reports a conflict, `kamflow-owns`
 * writes over it and reports that it did.
 */
export const FIELD_POLICIES = ['respect-edits', 'kamflow-owns'] as const;
export type FieldPolicy = (typeof FIELD_POLICIES)[number];
const fieldPolicy = z.enum(FIELD_POLICIES, { message: `expected ${FIELD_POLICIES.join(' or ')}` });

export const TASK_CHANGES = ['key', 'all', 'off'] as const;
export const REMINDER_CADENCES = ['off', 'monthly', 'quarterly'] as const;

export const syncOptionsSchema = z.object({
  /** Share of accounts (0-1) a plan may change before it waits for a confirmed run. */
  safetyGateShare: z.number().min(0, 'expected a share from 0 to 1').max(1, 'expected a share from 0 to 1').optional(),
  /** Accounts per push call, below the source's batch maximum (helps orgs whose automation locks rows). */
  pushBatchSize: z.number().int('expected a whole number of accounts').min(1, 'expected at least 1').optional(),
  /** Hours between full pulls; 0 or null turns the periodic full pull off; unset: the source's default. */
  fullSyncEveryHours: z.number().min(0, 'expected a non-negative number of hours').nullable().optional(),
  /**
   * One policy for every Kamflow field, or per field (`{"kam_tier": "kamflow-owns", "default":
   * "respect-edits"}`); unset fields follow `default`, itself respect-edits unless set.
   */
  fieldPolicy: z
    .union([fieldPolicy, z.record(z.string().regex(/^(kam_[a-z_]+|default)$/, 'expected a Kamflow field (kam_...) or default'), fieldPolicy)], {
      message: `expected ${FIELD_POLICIES.join(' or ')}, or an object of Kamflow field (or default) to policy`,
    })
    .optional(),
  /**
   * Which changes of a family make a task for its account owner: `key` (becoming or no longer
   * being Key; the default), `all` (those and a new risk), `off`.
   */
  tasks: z.enum(TASK_CHANGES, { message: `expected ${TASK_CHANGES.join(', ')}` }).optional(),
  /** How often each key family's owner gets a task listing its next best offers: off (the default), monthly or quarterly. */
  reminders: z.enum(REMINDER_CADENCES, { message: `expected ${REMINDER_CADENCES.join(', ')}` }).optional(),
  /** Next best offers per entity a reminder lists (1-10, 3 by default). */
  reminderOffers: z.number().int('expected a whole number').min(1, 'expected 1 to 10').max(10, 'expected 1 to 10').optional(),
  /** Days from the run to a task's due date (0-90, 7 by default). */
  taskDueDays: z.number().int('expected a whole number of days').min(0, 'expected 0 to 90 days').max(90, 'expected 0 to 90 days').optional(),
});
export type ConnectionSyncOptions = z.output<typeof syncOptionsSchema>;

export const SYNC_OPTION_KEYS: readonly string[] = Object.keys(syncOptionsSchema.shape);

export interface SplitOptions {
  sync: ConnectionSyncOptions;
  /** Everything else: the connector's own options, checked by its module's schema. */
  connector: Record<string, unknown>;
  /** One line per sync option that does not parse, naming it; such an option is left unset. */
  problems: string[];
}

/** Splits stored connection options into the sync engine's (typed) and the connector's. */
export function splitConnectionOptions(options: Record<string, unknown>): SplitOptions {
  const sync: ConnectionSyncOptions = {};
  const connector: Record<string, unknown> = {};
  const problems: string[] = [];
  const shape = syncOptionsSchema.shape;
  for (const [key, value] of Object.entries(options)) {
    if (!(key in shape)) {
      connector[key] = value;
      continue;
    }
    const field = shape[key as keyof typeof shape];
    const parsed = field.safeParse(value);
    if (parsed.success) Object.assign(sync, { [key]: parsed.data });
    else problems.push(`${key}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  return { sync, connector, problems };
}
