/**
 * The exceptions that cross rooms. Each has a type that callers test (never its message text);
 * per-record failures are values (WriteOutcome, RecordIssue), never these. No message here may
 * carry a token, secret or key.
 */

/** An error a person can act on: its message is safe to show as is (CLI line, console page). */
export abstract class ActionableError extends Error {}

export type CrmErrorKind =
  /** The org's or portal's API allowance is used up or past its reserve: resumable later. */
  | 'api-limit'
  /** Credentials are missing, expired beyond refresh, or revoked. */
  | 'auth'
  /** The source answered something the connector cannot use (shape, 4xx for a bad request). */
  | 'bad-response'
  /** Network or 5xx errors that retries did not get past. */
  | 'unavailable'
  /** Kamflow's own configuration is wrong (missing field, no permission, bad option). */
  | 'config';

/** A source stopped a run (or a call that cannot succeed). */
export class CrmError extends ActionableError {
  override readonly name = 'CrmError';
  constructor(
    readonly kind: CrmErrorKind,
    message: string,
    /** `code`: the source's error code; `reasons`: finer codes the answer listed (e.g. per field). */
    readonly details: { status?: number; code?: string; crm?: string; reasons?: string[] } = {},
  ) {
    super(message);
  }

  /** True when the run can simply be resumed later from its saved cursors. */
  get resumable(): boolean {
    return this.kind === 'api-limit' || this.kind === 'unavailable';
  }
}

/**
 * A write request went out and its answer never came back (the connection dropped): the source
 * may have applied it. Never retried blindly, which could apply it twice; the engine keeps the
 * writes in flight and checks them against the next pull.
 */
export class OutcomeUnknownError extends CrmError {
  constructor(message: string, details: { status?: number; code?: string; crm?: string } = {}) {
    super('unavailable', message, { code: 'OUTCOME_UNKNOWN', ...details });
  }
}

export function isCrmError(e: unknown): e is CrmError {
  return e instanceof CrmError;
}

/** A stored thing asked for by id does not exist. */
export class NotFoundError extends ActionableError {
  override readonly name = 'NotFoundError';
  constructor(
    readonly what: 'connection' | 'run',
    readonly id: string,
  ) {
    super(`no ${what} with id ${id}`);
  }
}

/** A thing with this id exists already. */
export class AlreadyExistsError extends ActionableError {
  override readonly name = 'AlreadyExistsError';
  constructor(
    readonly what: 'connection',
    readonly id: string,
  ) {
    super(`a ${what} with id ${id} already exists`);
  }
}

/** The org or portal is connected already: one connection per source account. */
export class AlreadyConnectedError extends ActionableError {
  override readonly name = 'AlreadyConnectedError';
  constructor(
    readonly source: string,
    readonly accountId: string,
    /** The connection that holds it. */
    readonly connectionId: string,
  ) {
    super(`this ${source} account (${accountId}) is already connected as ${connectionId}: reconnect that connection instead of adding a second one`);
  }
}

/** Another run holds the connection's lock. */
export class ConnectionBusyError extends ActionableError {
  override readonly name = 'ConnectionBusyError';
}

/** A rollback of a dry run: it wrote nothing, so there is nothing to restore. */
export class NothingToRollBackError extends ActionableError {
  override readonly name = 'NothingToRollBackError';
  constructor(readonly runId: string) {
    super(`run ${runId} was a dry run: it wrote nothing to roll back`);
  }
}

/** A connection names a source this Kamflow has no module for. */
export class UnknownSourceError extends ActionableError {
  override readonly name = 'UnknownSourceError';
  constructor(
    readonly source: string,
    readonly known: readonly string[],
  ) {
    super(`unknown source "${source}" (known: ${known.join(', ')})`);
  }
}

/** Input given by a person (flags, options, a form) that cannot be used; each problem names its input. */
export class BadInputError extends ActionableError {
  override readonly name = 'BadInputError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
  }
}

/** How an install through a source's consent screen failed, in terms the console explains. */
export type InstallFailure = 'expired-code' | 'missing-scope' | 'not-authorized' | 'provisioning' | 'unavailable';

/** An install step that failed in a way the admin can act on; the message is free of secrets. */
export class InstallError extends ActionableError {
  override readonly name = 'InstallError';
  constructor(
    readonly reason: InstallFailure,
    message: string,
  ) {
    super(message);
  }
}

/** Why credentials did not pass their check against the source. */
export type CredentialsProblem =
  /** The source refused the token, refresh token or app client. */
  | 'bad-token'
  /** Nothing answered at the URL, or what answered is not the source's API. */
  | 'unreachable'
  /** The token works but lacks a scope (or permission) Kamflow needs. */
  | 'missing-scope'
  /** The credentials belong to another org or portal than the connection's. */
  | 'other-account';

/** Credentials checked against the source with one identity call and found wanting; the message names what is wrong. */
export class CredentialsError extends ActionableError {
  override readonly name = 'CredentialsError';
  constructor(
    readonly problem: CredentialsProblem,
    message: string,
  ) {
    super(message);
  }
}

/** A plan that cannot be approved: none kept for the run, already approved, or not a sync's. */
export class PlanNotApprovableError extends ActionableError {
  override readonly name = 'PlanNotApprovableError';
}
