import { z } from 'zod';

/**
 * The `retry` option of every connector, named the same for each: retries of one call with
 * exponential backoff between minDelayMs and maxDelayMs, and retries of records whose write
 * failed with a transient error (a locked row). Older stored connections named these
 * differently; `legacyRetryNames` reads those into these names.
 */
export function retryOptionsSchema(defaults: { retries: number; minDelayMs: number; maxDelayMs: number; recordRetries: number }) {
  return z.object({
    retries: z.number().int().min(0).max(20).default(defaults.retries),
    minDelayMs: z.number().nonnegative().default(defaults.minDelayMs),
    maxDelayMs: z.number().nonnegative().default(defaults.maxDelayMs),
    /** Rounds of re-sending the records whose write failed with a transient error. */
    recordRetries: z.number().int().min(0).max(10).default(defaults.recordRetries),
  });
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Options as stored before the names were shared: `retry.minTimeoutMs`/`maxTimeoutMs` (HubSpot)
 * become `minDelayMs`/`maxDelayMs`, a top-level `recordRetries` (Salesforce) moves into `retry`.
 * The new name wins when both are there.
 */
export function legacyRetryNames(input: unknown): unknown {
  if (!isRecord(input)) return input;
  const { recordRetries, ...rest } = input;
  // A retry option of the wrong shape is left for the schema to name.
  if (rest['retry'] !== undefined && !isRecord(rest['retry'])) return input;
  const retry: Record<string, unknown> = isRecord(rest['retry']) ? { ...rest['retry'] } : {};
  const { minTimeoutMs, maxTimeoutMs, ...named } = retry;
  const next: Record<string, unknown> = { ...named };
  if (minTimeoutMs !== undefined && next['minDelayMs'] === undefined) next['minDelayMs'] = minTimeoutMs;
  if (maxTimeoutMs !== undefined && next['maxDelayMs'] === undefined) next['maxDelayMs'] = maxTimeoutMs;
  if (recordRetries !== undefined && next['recordRetries'] === undefined) next['recordRetries'] = recordRetries;
  const hadRetry = rest['retry'] !== undefined || Object.keys(next).length > 0;
  return hadRetry ? { ...rest, retry: next } : rest;
}
