import { z } from 'zod';

/**
 * What a failed HubSpot call tells us. The SDK throws ApiException {code, body, headers} for an
 * HTTP error (body left as parsed JSON, so `policyName` survives); network errors arrive as
 * plain errors without a numeric code.
 */
export interface CallFailure {
  /** HTTP status, or null for a network failure. */
  status: number | null;
  category: string | null;
  policyName: string | null;
  message: string;
  /** Machine codes of the errors the body lists (`errors[].code`, e.g. PROPERTY_DOESNT_EXIST). */
  reasons: string[];
  headers: Record<string, string>;
}

const errorBodySchema = z
  .object({
    message: z.string().optional(),
    category: z.string().optional(),
    policyName: z.string().optional(),
    status: z.string().optional(),
    errorType: z.string().optional(),
    error: z.string().optional(),
    error_description: z.string().optional(),
    errors: z.array(z.looseObject({ code: z.string().optional() })).optional().catch(undefined),
  })
  .loose();

function bodyOf(raw: unknown): z.infer<typeof errorBodySchema> {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return { message: raw.slice(0, 300) };
    }
  }
  const parsed = errorBodySchema.safeParse(value);
  return parsed.success ? parsed.data : {};
}

function headersOf(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw && typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') out[k.toLowerCase()] = v;
  }
  return out;
}

export function inspectFailure(e: unknown): CallFailure {
  if (e && typeof e === 'object' && 'code' in e && typeof e.code === 'number' && 'body' in e) {
    const body = bodyOf(e.body);
    return {
      status: e.code,
      // OAuth errors carry their code (BAD_AUTH_CODE...) in `status`; other errors say "error" there.
      category: body.category ?? body.errorType ?? body.error ?? (body.status && /^[A-Z][A-Z_]+$/.test(body.status) ? body.status : null),
      policyName: body.policyName ?? null,
      message: body.message ?? body.error_description ?? `HTTP ${e.code}`,
      reasons: (body.errors ?? []).flatMap((x) => (x.code ? [x.code] : [])),
      headers: headersOf('headers' in e ? e.headers : undefined),
    };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { status: null, category: null, policyName: null, message, reasons: [], headers: {} };
}

export const SECONDLY_MESSAGE = 'You have reached your secondly limit.';

export type FailureClass =
  | { retry: 'wait'; waitMs: number; reason: string }
  | { retry: 'backoff'; reason: string }
  | { retry: 'refresh'; reason: string }
  | { retry: 'none'; reason: string };

export interface WaitSettings {
  tenSecondlyWaitMs: number;
  secondlyWaitMs: number;
  lockedWaitMs: number;
}

/** Which failures are worth another attempt, and after what wait. */
export function classifyFailure(f: CallFailure, w: WaitSettings): FailureClass {
  if (f.status === null) return { retry: 'backoff', reason: 'network' };
  if (f.status === 429) {
    if (f.policyName === 'DAILY') return { retry: 'none', reason: 'daily-limit' };
    const retryAfter = Number(f.headers['retry-after']);
    const hinted = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : null;
    if (f.message === SECONDLY_MESSAGE || f.policyName === 'SECONDLY') return { retry: 'wait', waitMs: hinted ?? w.secondlyWaitMs, reason: 'secondly-limit' };
    return { retry: 'wait', waitMs: hinted ?? w.tenSecondlyWaitMs, reason: 'ten-secondly-limit' };
  }
  if (f.status === 423) return { retry: 'wait', waitMs: w.lockedWaitMs, reason: 'locked' };
  if (f.status === 401) return { retry: 'refresh', reason: 'unauthorized' };
  if (f.status >= 500) return { retry: 'backoff', reason: `http-${f.status}` };
  return { retry: 'none', reason: `http-${f.status}` };
}
