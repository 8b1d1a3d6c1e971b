import { z } from 'zod';
import type { RunIssue } from './types.ts';

/**
 * The shapes both stores read back from their JSON columns, so that SQLite and PostgreSQL
 * accept and refuse exactly the same stored values.
 */

const tokenSetSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string().optional(),
  expiresAt: z.number().optional(),
  instanceUrl: z.string().optional(),
});

export const credentialsSchema = z.object({ tokens: tokenSetSchema.nullable(), clientSecret: z.string().nullable() });

export const optionsSchema = z.record(z.string(), z.unknown());

export const cursorSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

export const countsSchema = z.object({
  pulled: z.record(z.string(), z.number()),
  deleted: z.number(), swept: z.number(), pullIssues: z.number(), rejected: z.number(), accounts: z.number(),
  plannedAccounts: z.number(), plannedFields: z.number(), written: z.number(), failed: z.number(), unchangedAccounts: z.number(),
  // Counted since schema 4 (SQLite) / 2 (PostgreSQL): runs stored before read as zero.
  conflicts: z.number().default(0), quarantined: z.number().default(0), unconfirmed: z.number().default(0), truncated: z.number().default(0),
  progress: z.object({
    stage: z.enum(['pull', 'analyze', 'plan', 'push']), object: z.string().optional(), done: z.number(), total: z.number().optional(), at: z.string(),
  }).optional(),
});

export const usageSchema = z.record(z.string(), z.number());

export const fieldValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const fieldValuesSchema = z.record(z.string(), fieldValueSchema);

/** Rows stored before the rename say `awaiting-confirmation`: read as `awaiting-approval`. */
export const runStatusSchema = z.preprocess(
  (v) => (v === 'awaiting-confirmation' ? 'awaiting-approval' : v),
  z.enum(['running', 'succeeded', 'failed', 'stopped-by-limit', 'awaiting-approval', 'interrupted']),
);
export const approvalReasonSchema = z.enum(['first-plan', 'over-gate', 'overwrites-edits']);
export const plannedChangesSchema = z.array(z.object({ field: z.string(), from: fieldValueSchema, to: fieldValueSchema }));
export const writeStatusSchema = z.enum(['pending', 'sending', 'ok', 'failed']);
export const writeErrorKindSchema = z.enum(['transient', 'bad-data', 'config', 'unknown']);
export const issueStageSchema = z.enum(['pull', 'snapshot', 'analyze', 'plan', 'push', 'lock']);

const issueRowSchema = z.object({
  stage: issueStageSchema,
  object: z.string().nullable(),
  record_id: z.string().nullable(),
  kind: z.string(),
  message: z.string(),
});

/** A run_issues row (the same columns in both stores) as the interface's RunIssue. */
export function issueFromRow(raw: unknown): RunIssue {
  const r = issueRowSchema.parse(raw);
  return { stage: r.stage, object: r.object, recordId: r.record_id, kind: r.kind, message: r.message };
}

/** A mirrored account, as far as the store needs to know it: written values go into `fields`. */
export const mirroredAccountSchema = z.looseObject({ fields: z.record(z.string(), z.unknown()).optional() });

/** The id a new connection gets when the caller names none. */
export function newConnectionId(idPrefix: string | undefined, uuid: string): string {
  return `${idPrefix ?? 'c'}-${uuid.slice(0, 8)}`;
}

/** A mirror read's batch size: a whole number from 1 (SQLite would read everything at once for a negative LIMIT). */
export function checkBatchSize(batchSize: number): number {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`the mirror batch size must be a whole number of at least 1, got ${batchSize}`);
  return batchSize;
}

export const INTERRUPTED_MESSAGE = 'the process running it stopped before it finished';
