import { z } from 'zod';
import type { Logger } from '../../src/log.ts';
import { TIERS, type Tier } from '../../src/model/output-fields.ts';
import { IDEAL_CUSTOMER_PROFILE_BY_TIER, toPropertyValue } from '../../mappings/hubspot.ts';
import { isCrmError } from '../../src/contract/errors.ts';
import type { AccountWrite, WriteErrorKind, WriteOutcome, WritePlanForConnector } from '../../src/contract/connector.ts';
import type { HubSpotCaller } from './client.ts';

export interface PushSettings {
  batchSize: number;
  syncTargetAccountFromTier: boolean;
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

export function classifyWriteError(category: string | null | undefined, message: string, status?: number): WriteErrorKind {
  const c = (category ?? '').toUpperCase();
  if (c === 'RATE_LIMITS' || c === 'LOCKED' || status === 429 || status === 423 || (status !== undefined && status >= 500)) return 'transient';
  if (status === 401 || status === 403 || c === 'MISSING_SCOPES') return 'config';
  if (/PROPERTY_DOESNT_EXIST|does not exist|read.?only/i.test(message)) return 'config';
  return 'bad-data';
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
    for (const id of ids) failed.set(id, { accountId: id, ok: false, errorKind: classifyWriteError(e.category, message), code: e.category ?? 'ERROR', message });
  }
  return inputs.map((i): WriteOutcome => {
    const f = failed.get(i.id);
    if (f) return f;
    if (okIds.has(i.id)) return { accountId: i.id, ok: true };
    const e = unattributed.length === 1 ? unattributed[0] : undefined;
    if (e) {
      const message = e.message ?? 'HubSpot reported an error for this record';
      return { accountId: i.id, ok: false, errorKind: classifyWriteError(e.category, message), code: e.category ?? 'ERROR', message };
    }
    return { accountId: i.id, ok: false, errorKind: 'transient', code: 'NO_RESULT', message: 'HubSpot returned neither a result nor an error for this record' };
  });
}

/**
 * Carries out a write plan. Per-record failures are outcomes; a whole batch rejected as invalid
 * (HubSpot answers 400 for a batch with one bad input) or still locked after the retries (423)
 * is split until the bad or locked record is alone.
 * After the daily limit or an auth failure nothing more is sent and the rest is reported; when
 * they come before any record was written, the CrmError is thrown instead, so the run stops.
 */
export async function pushWrites(caller: HubSpotCaller, plan: WritePlanForConnector, s: PushSettings, log: Logger): Promise<WriteOutcome[]> {
  const outcomes: WriteOutcome[] = [];
  const inputs: Input[] = [];
  for (const w of plan.writes) {
    if (Object.keys(w.fields).length === 0) outcomes.push({ accountId: w.accountId, ok: true });
    else inputs.push(toInput(w, s));
  }
  let stopped: { kind: WriteErrorKind; code: string; message: string } | null = null;
  let sentAny = false;

  const send = async (batch: Input[]): Promise<void> => {
    if (stopped) {
      const st = stopped;
      outcomes.push(...batch.map((i) => ({ accountId: i.id, ok: false, errorKind: st.kind, code: st.code, message: st.message })));
      return;
    }
    try {
      const res = await caller.call('batchUpdate', `batch update of ${batch.length} companies`, (c) =>
        c.crm.objects.batchApi.updateWithHttpInfo('companies', { inputs: batch }),
      );
      const got = outcomesOfResponse(batch, res.data);
      sentAny ||= got.some((o) => o.ok);
      outcomes.push(...got);
    } catch (e) {
      if (!isCrmError(e)) throw e;
      const status = e.details.status;
      // A 400 rejects the whole batch for one bad input, and a 423 that outlasts the retries
      // locks the whole batch for one busy record: halve until the record stands alone, so the
      // rest is written now and only that record waits for the next run.
      const wholeBatch = (e.kind === 'bad-response' && status !== undefined && status >= 400 && status < 500) || status === 423;
      if (wholeBatch && batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        await send(batch.slice(0, half));
        await send(batch.slice(half));
        return;
      }
      const kind: WriteErrorKind = e.kind === 'api-limit' || e.kind === 'unavailable' ? 'transient' : e.kind === 'bad-response' ? classifyWriteError(e.details.code, e.message, status) : 'config';
      const code = e.details.code ?? (status !== undefined ? `HTTP_${status}` : e.kind.toUpperCase());
      // Stopped by the daily limit or the credentials before anything reached HubSpot: that is the
      // run's end (stopped by the limit, resumable), not a failure of each record.
      if ((e.kind === 'api-limit' || e.kind === 'auth') && !sentAny) throw e;
      outcomes.push(...batch.map((i) => ({ accountId: i.id, ok: false, errorKind: kind, code, message: e.message })));
      if (e.kind === 'api-limit' || e.kind === 'auth' || e.kind === 'config') {
        stopped = { kind, code, message: `not sent: ${e.message}` };
        log.error({ kind: e.kind, code }, 'hubspot write-back stopped');
      }
    }
  };

  for (let i = 0; i < inputs.length; i += s.batchSize) await send(inputs.slice(i, i + s.batchSize));
  return outcomes;
}
