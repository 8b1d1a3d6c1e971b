import type { Response } from 'express';
import { z } from 'zod';
import { createPrng, type Prng } from './prng.ts';

/** What can go wrong on one CRM's API, per call. Shares are probabilities 0..1. */
export const faultSpecSchema = z
  .object({
    /** HubSpot: 429 TEN_SECONDLY_ROLLING. Salesforce: 403 REQUEST_LIMIT_EXCEEDED (concurrent requests). */
    rate429: z.number().min(0).max(1).default(0),
    /** 503 (Salesforce SERVER_UNAVAILABLE) or 502/503/504 (HubSpot). */
    rate5xx: z.number().min(0).max(1).default(0),
    /** The next N calls made with a token issued before this setting get 401, until a refresh. */
    expireTokens: z.number().int().min(0).default(0),
    /**
     * A share of record writes (Salesforce sObject Collections and Bulk ingest, HubSpot batch
     * update) whose connection drops after the CRM applied them: the answer never arrives.
     */
    dropAfterWrite: z.number().min(0).max(1).default(0),
    /**
     * A share of calls answered with something that is not the API's JSON, as a proxy, a load
     * balancer or a cut connection produce: a 200 whose JSON is cut short (the call was carried
     * out), a 200 HTML maintenance page (it was not), or a 200 whose JSON comes as text/plain
     * (carried out). A client must take none of them as data.
     */
    malformedAnswer: z.number().min(0).max(1).default(0),
    /** Which malformed answers to draw from (default all three). */
    malformedKinds: z.array(z.enum(['truncated-json', 'html-page', 'wrong-content-type'])).min(1).default(['truncated-json', 'html-page', 'wrong-content-type']),
    /** Record ids whose writes fail with a lock error (UNABLE_TO_LOCK_ROW / HubSpot LOCKED). */
    lockedRecords: z.array(z.string()).default([]),
    /** The daily allowance runs out after N more calls. */
    dailyLimitAfter: z.number().int().min(0).optional(),
    /** A share of calls that are slow, and by how much. */
    slowShare: z.number().min(0).max(1).default(0),
    slowMs: z.number().min(0).default(0),
    /** Added to every call. */
    latencyMs: z.number().min(0).default(0),
  })
  .strict();

export type FaultSpec = z.input<typeof faultSpecSchema>;
type ParsedFaultSpec = z.output<typeof faultSpecSchema>;

export const faultsOptionSchema = z
  .object({
    salesforce: faultSpecSchema.optional(),
    hubspot: faultSpecSchema.optional(),
    /** PRNG seed for the shares; the same seed and call order give the same faults. */
    seed: z.number().int().optional(),
  })
  .strict();
export type FaultsOption = z.input<typeof faultsOptionSchema>;

export type MalformedKind = 'truncated-json' | 'html-page' | 'wrong-content-type';

export type FaultOutcome = 'none' | 'rate-limit' | 'server-error' | 'expired-token';

export interface FaultDecision {
  delayMs: number;
  outcome: FaultOutcome;
}

/**
 * Decides, call by call, which fault (if any) a request meets. One engine per CRM, each with
 * its own PRNG stream, so the faults of one CRM do not depend on calls made to the other.
 */
export class FaultEngine {
  private spec: ParsedFaultSpec = faultSpecSchema.parse({});
  private prng: Prng;
  private expiredBeforeSerial = 0;
  private expireRemaining = 0;
  locked = new Set<string>();
  /** Faults injected so far, by kind (locks counted where a write meets one). */
  readonly injected: Record<'rate-limit' | 'server-error' | 'expired-token' | 'dropped-answer' | 'lock' | MalformedKind, number> = {
    'rate-limit': 0, 'server-error': 0, 'expired-token': 0, 'dropped-answer': 0, lock: 0, 'truncated-json': 0, 'html-page': 0, 'wrong-content-type': 0,
  };

  constructor(seed: number, private readonly baseLatencyMs: number) {
    this.prng = createPrng(seed);
  }

  /**
   * Installs a new spec. `lastTokenSerial` is the serial of the newest token issued so far:
   * tokens up to it count as expired for `expireTokens` calls.
   */
  set(spec: FaultSpec | undefined, lastTokenSerial: number): ParsedFaultSpec {
    this.spec = faultSpecSchema.parse(spec ?? {});
    this.locked = new Set(this.spec.lockedRecords);
    this.expireRemaining = this.spec.expireTokens;
    this.expiredBeforeSerial = lastTokenSerial;
    return this.spec;
  }

  /** Called once per API call, in arrival order. */
  decide(tokenSerial: number): FaultDecision {
    const d = this.draw(tokenSerial);
    if (d.outcome !== 'none') this.injected[d.outcome] += 1;
    return d;
  }

  private draw(tokenSerial: number): FaultDecision {
    let delayMs = this.baseLatencyMs + this.spec.latencyMs;
    if (this.spec.slowShare > 0 && this.prng.next() < this.spec.slowShare) delayMs += this.spec.slowMs;
    if (this.expireRemaining > 0 && tokenSerial <= this.expiredBeforeSerial) {
      this.expireRemaining -= 1;
      return { delayMs, outcome: 'expired-token' };
    }
    if (this.spec.rate429 > 0 && this.prng.next() < this.spec.rate429) return { delayMs, outcome: 'rate-limit' };
    if (this.spec.rate5xx > 0 && this.prng.next() < this.spec.rate5xx) return { delayMs, outcome: 'server-error' };
    return { delayMs, outcome: 'none' };
  }

  /** Whether this write's connection drops once the CRM has applied it (drawn only when the share is set). */
  dropsAnswer(): boolean {
    if (this.spec.dropAfterWrite > 0 && this.prng.next() < this.spec.dropAfterWrite) {
      this.injected['dropped-answer'] += 1;
      return true;
    }
    return false;
  }

  /** Whether this call's answer is malformed, and how (drawn only when the share is set). */
  malformed(): MalformedKind | null {
    if (this.spec.malformedAnswer <= 0 || this.prng.next() >= this.spec.malformedAnswer) return null;
    const kinds = this.spec.malformedKinds;
    const kind = kinds[Math.min(kinds.length - 1, Math.floor(this.prng.next() * kinds.length))] as MalformedKind;
    this.injected[kind] += 1;
    return kind;
  }

  /** A 5xx status for a server-error fault, varied deterministically. */
  serverStatus(): number {
    const r = this.prng.next();
    return r < 0.5 ? 503 : r < 0.8 ? 502 : 504;
  }
}

/**
 * Lets the route apply the request, then drops the connection instead of answering: whatever
 * the route sends is thrown away with the socket, as when a network drops a response.
 */
export function dropAnswer(req: { socket: { destroy(): void } }, res: { end: (...args: never[]) => unknown }): void {
  res.end = ((): unknown => {
    req.socket.destroy();
    return res;
  }) as typeof res.end;
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

const MAINTENANCE_PAGE = '<!DOCTYPE html>\n<html><head><title>Service Unavailable</title></head><body><h1>We are down for maintenance</h1><p>Please try again later.</p></body></html>\n';

/**
 * Answers the call malformed: `html-page` at once, without the route (nothing is carried out);
 * the others let the route run and spoil its JSON answer on the way out.
 */
export function malformAnswer(kind: MalformedKind, res: Response): 'answered' | 'continue' {
  if (kind === 'html-page') {
    res.status(200).setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(MAINTENANCE_PAGE);
    return 'answered';
  }
  res.json = ((body: unknown): Response => {
    const text = JSON.stringify(body) ?? '';
    if (kind === 'truncated-json') {
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
    } else {
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(text);
    }
    return res;
  }) as Response['json'];
  return 'continue';
}
