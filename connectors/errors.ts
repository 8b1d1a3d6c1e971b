/**
 * Errors that stop a run. Per-record failures are values (WriteOutcome, RecordIssue), never
 * these. No message here may carry a token, secret or key.
 */

export type CrmErrorKind =
  /** The org's or portal's API allowance is used up or past its reserve: resumable later. */
  | 'api-limit'
  /** Credentials are missing, expired beyond refresh, or revoked. */
  | 'auth'
  /** The CRM answered something the connector cannot use (shape, 4xx for a bad request). */
  | 'bad-response'
  /** Network or 5xx errors that retries did not get past. */
  | 'unavailable'
  /** Kamflow's own configuration is wrong (missing field, no permission). */
  | 'config';

export class CrmError extends Error {
  override readonly name = 'CrmError';
  constructor(
    readonly kind: CrmErrorKind,
    message: string,
    readonly details: { status?: number; code?: string; crm?: string } = {},
  ) {
    super(message);
  }

  /** True when the run can simply be resumed later from its saved cursors. */
  get resumable(): boolean {
    return this.kind === 'api-limit' || this.kind === 'unavailable';
  }
}

export function isCrmError(e: unknown): e is CrmError {
  return e instanceof CrmError;
}
