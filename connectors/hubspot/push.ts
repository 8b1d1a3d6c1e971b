import { z } from 'zod';
import type { Logger } from '../../src/log.ts';
import { TIERS, type Tier } from '../../src/model/output-fields.ts';
import { IDEAL_CUSTOMER_PROFILE_BY_TIER, toPropertyValue } from '../../mappings/hubspot.ts';
import { oneOutcomePerWrite, type AccountWrite, type WriteErrorKind, type WriteOutcome, type WritePlanForConnector } from '../../src/contract/connector.ts';
import { classifyWriteFailure, writeInBatches, type WriteErrorCodes } from '../shared/batch-write.ts';
import type { Sleep } from '../shared/sleep.ts';
import type { HubSpotCaller } from './client.ts';

export interface PushSettings {
  batchSize: number;
  syncTargetAccountFromTier: boolean;
  retry: { recordRetries: number; minDelayMs: number; maxDelayMs: number };
  sleep: Sleep;
}

interface Input {
  id: string;
  properties: Record<string, string>;
}

/** Turns one account's changed fields into the properties sent, HubSpot's ABM ones if asked. */
export function toInput(w: AccountWrite, s: PushSettings): Input {
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(w.fields)) if (v !== undefined) properties[k] = toPropertyValue(v);
  const tier = w.fields.kam_tier;
  if (s.syncTargetAccountFromTier && typeof tier === 'string' && (TIERS as readonly string[]).includes(tier)) {
    properties['hs_is_target_account'] = String(tier === 'Key');
    properties['hs_ideal_customer_profile'] = IDEAL_CUSTOMER_PROFILE_BY_TIER[tier as Tier];
  }
  return { id: w.accountId, properties };
}

const batchResponseSchema = z.object({
  results: z.array(z.object({ id: z.union([z.string(), z.number()]).transform(String) })).default([]),
  errors: z
    .array(
      z.object({
        status: z.string().nullish(),
        category: z.string().nullish(),
        message: z.string().nullish(),
        id: z.union([z.string(), z.number()]).transform(String).nullish(),
        context: z.record(z.string(), z.array(z.unknown())).nullish(),
      }),
    )
    .default([]),
});
type BatchError = z.infer<typeof batchResponseSchema>['errors'][number];

/** HubSpot's write error codes (categories, and the codes its error lists carry) by treatment. */
export const HUBSPOT_WRITE_CODES: WriteErrorCodes = {
  transient: new Set(['RATE_LIMITS', 'LOCKED']),
  config: new Set(['MISSING_SCOPES', 'PROPERTY_DOESNT_EXIST', 'READ_ONLY_VALUE']),
};

export function classifyWriteError(codes: readonly (string | null | undefined)[], status?: number): WriteErrorKind {
  return classifyWriteFailure({ status, codes: codes.filter((c): c is string => typeof c === 'string') }, HUBSPOT_WRITE_CODES);
}

function idsOfError(e: BatchError, batchIds: Set<string>): string[] {
  const ids = new Set<string>();
  if (e.id && batchIds.has(e.id)) ids.add(e.id);
  for (const v of Object.values(e.context ?? {})) for (const x of v) if (batchIds.has(String(x))) ids.add(String(x));
  if (ids.size === 0 && e.message) for (const id of batchIds) if (new RegExp(`\\b${id.replace(/\W/g, '\\$&')}\\b`).test(e.message)) ids.add(id);
  return [...ids];
}

/** Maps a 200/207 response back onto the inputs: every input gets exactly one outcome. */
export function outcomesOfResponse(inputs: Input[], raw: unknown): WriteOutcome[] {
  const parsed = batchResponseSchema.safeParse(raw);
  if (!parsed.success) {
    return inputs.map((i) => ({ accountId: i.id, ok: false, errorKind: 'transient', code: 'BAD_RESPONSE', message: 'HubSpot batch update answered an unexpected shape; state unknown, retry' }));
  }
  const batchIds = new Set(inputs.map((i) => i.id));
  const okIds = new Set(parsed.data.results.map((r) => r.id));
  const failed = new Map<string, WriteOutcome>();
  const unattributed: BatchError[] = [];
  for (const e of parsed.data.errors) {
    const ids = idsOfError(e, batchIds);
    if (ids.length === 0) unattributed.push(e);
    const message = e.message ?? 'HubSpot reported an error for this record';
    for (const id of ids) failed.set(id, { accountId: id, ok: false, errorKind: classifyWriteError([e.category]), code: e.category ?? 'ERROR', message });
  }
  return inputs.map((i): WriteOutcome => {
    const f = failed.get(i.id);
    if (f) return f;
    if (okIds.has(i.id)) return { accountId: i.id, ok: true };
    const e = unattributed.length === 1 ? unattributed[0] : undefined;
    if (e) {
      const message = e.message ?? 'HubSpot reported an error for this record';
      return { accountId: i.id, ok: false, errorKind: classifyWriteError([e.category]), code: e.category ?? 'ERROR', message };
    }
    return { accountId: i.id, ok: false, errorKind: 'transient', code: 'NO_RESULT', message: 'HubSpot returned neither a result nor an error for this record' };
  });
}

/**
 * Carries out a write plan under the shared batch-write policy: per-record failures are
 * outcomes and transient ones are sent again; a whole batch rejected as invalid (HubSpot
 * answers 400 for a batch with one bad input) or still locked after the retries (423) is split
 * until the bad or locked record is alone. After the daily limit or an auth failure nothing
 * more is sent; when they come before any record was answered, the CrmError is thrown instead,
 * so the run stops.
 */
export async function pushWrites(caller: HubSpotCaller, plan: WritePlanForConnector, s: PushSettings, log: Logger): Promise<WriteOutcome[]> {
  const empty: WriteOutcome[] = [];
  const inputs: Input[] = [];
  for (const w of plan.writes) {
    if (Object.keys(w.fields).length === 0) empty.push({ accountId: w.accountId, ok: true });
    else inputs.push(toInput(w, s));
  }
  const written = await writeInBatches({
    rows: inputs,
    first: {
      batchSize: s.batchSize,
      send: async (batch) => {
        const res = await caller.call('batchUpdate', `batch update of ${batch.length} companies`, (c) =>
          c.crm.objects.batchApi.updateWithHttpInfo('companies', { inputs: batch }),
        { applies: true });
        return outcomesOfResponse(batch, res.data);
      },
    },
    splitOn: (e) => {
      const status = e.details.status;
      return (e.kind === 'bad-response' && status !== undefined && status >= 400 && status < 500) || status === 423;
    },
    classify: (e) => classifyWriteError([e.details.code, ...(e.details.reasons ?? [])], e.details.status),
    retry: s.retry,
    sleep: s.sleep,
    logger: log,
  });
  return oneOutcomePerWrite(plan.writes.map((w) => w.accountId), [...empty, ...written]);
}
