import type { Response } from 'express';
import type { CallCounter } from '../calls.ts';
import type { SandboxClock } from '../clock.ts';
import type { FaultEngine } from '../faults.ts';
import type { IdFactory } from '../ids.ts';
import type { TokenRegistry } from '../tokens.ts';
import type { BulkJobs } from './bulk-jobs.ts';
import type { QueryCursors } from './cursors.ts';
import type { SalesforceStore } from './store.ts';

/** Everything a Salesforce route needs; one per sandbox. */
export interface SfContext {
  store: SalesforceStore;
  tokens: TokenRegistry;
  faults: FaultEngine;
  clock: SandboxClock;
  ids: IdFactory;
  calls: CallCounter;
  cursors: QueryCursors;
  bulk: BulkJobs;
  clientId: string;
  clientSecret: string;
  /** `http://127.0.0.1:PORT`, known once the server listens. */
  baseUrl(): string;
  bulkQueryPageSize: number;
}

export interface SfErrorItem {
  message: string;
  errorCode: string;
  fields?: string[];
}

/** Salesforce's REST error shape: a JSON array of `{message, errorCode, fields?}`. */
export function sendSfError(res: Response, status: number, errorCode: string, message: string, fields?: string[]): void {
  const item: SfErrorItem = fields ? { message, errorCode, fields } : { message, errorCode };
  res.status(status).json([item]);
}

export class SfHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}
