import type { WriteErrorKind } from '../../src/contract/connector.ts';
import { classifyWriteFailure, kindForStop, type WriteErrorCodes } from '../shared/batch-write.ts';

/** How a failed record write is treated: retried, reported as bad data, or as a setup problem. */

const TRANSIENT = new Set([
  'UNABLE_TO_LOCK_ROW',
  'REQUEST_RUNNING_TOO_LONG',
  'SERVER_UNAVAILABLE',
  'UNKNOWN_EXCEPTION',
  'API_LIMIT',
  'UNPROCESSED',
]);

const CONFIG = new Set([
  'INVALID_FIELD',
  'INVALID_FIELD_FOR_INSERT_UPDATE',
  'INSUFFICIENT_ACCESS',
  'INSUFFICIENT_ACCESS_OR_READONLY',
  'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
  'INVALID_TYPE',
  'NO_ACCESS',
  'API_DISABLED_FOR_ORG',
]);

export const SALESFORCE_WRITE_CODES: WriteErrorCodes = { transient: TRANSIENT, config: CONFIG };

export function classifyWriteError(code: string, status?: number): WriteErrorKind {
  return classifyWriteFailure({ status, codes: [code] }, SALESFORCE_WRITE_CODES);
}

export { kindForStop };

/** Bulk API 2.0 `sf__Error` reads `CODE:message:fields`. */
export function parseBulkError(text: string): { code: string; message: string } {
  const i = text.indexOf(':');
  if (i <= 0) return { code: 'UNKNOWN', message: text };
  const code = text.slice(0, i);
  const message = text.slice(i + 1).replace(/:--$/, '').replace(/:$/, '');
  return { code, message };
}
