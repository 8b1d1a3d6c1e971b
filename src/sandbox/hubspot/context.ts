import type { Response } from 'express';
import type { CallCounter } from '../calls.ts';
import type { SandboxClock } from '../clock.ts';
import type { FaultEngine } from '../faults.ts';
import type { TokenRegistry } from '../tokens.ts';
import type { HubSpotStore } from './store.ts';

export interface HsLimits {
  /** Calls allowed per rolling 10 seconds, shown in the headers. */
  tenSecondly: number;
  /** Enforce the 10-second limit with 429 TEN_SECONDLY_ROLLING (off by default: it slows runs). */
  enforceTenSecondly: boolean;
  /** Search calls allowed per second (null: unlimited). */
  searchPerSecond: number | null;
}

export interface HsContext {
  store: HubSpotStore;
  tokens: TokenRegistry;
  faults: FaultEngine;
  clock: SandboxClock;
  calls: CallCounter;
  limits: HsLimits;
  /** How long an archived record stays in the search index (the search is eventually consistent). */
  searchLagMs: number;
  clientId: string;
  clientSecret: string;
  privateAppToken: string;
  baseUrl(): string;
  correlationId(): string;
}

export class HsHttpError extends Error {
  constructor(
    readonly status: number,
    readonly category: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** HubSpot's error body: `{status:"error", message, correlationId, category, ...}`. */
export function sendHsError(ctx: HsContext, res: Response, status: number, category: string, message: string, extra: Record<string, unknown> = {}): void {
  res.status(status).json({ status: 'error', message, correlationId: ctx.correlationId(), category, ...extra });
}
