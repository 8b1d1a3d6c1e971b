import type { Cursor, ObjectKind, PullPage } from '../../src/contract/connector.ts';
import { CrmError } from '../../src/contract/errors.ts';
import { BASE_FIELDS, SOBJECT_BY_KIND } from '../../mappings/salesforce.ts';
import { SalesforceHttpError } from './client.ts';

/**
 * Streams a sync can do without: contact roles only enrich the analysis (who decides on a deal),
 * so an org that keeps OpportunityContactRole from the integration user still syncs its
 * accounts, contacts, opportunities and line items. Every other stream stops the run when its
 * object cannot be read: the analysis stands on them.
 */
export const OPTIONAL_STREAMS: ReadonlySet<ObjectKind> = new Set(['contactRoles']);

/**
 * What the org answers, for good, to a query of an object the integration user may not read:
 * INVALID_TYPE ("sObject type 'X' is not supported": no Read on the object, or no such object in
 * this org), INVALID_FIELD ("No such column 'F' on entity 'X'": a field its field-level security
 * hides), INVALID_TYPE_FOR_OPERATION ("entity type X does not support query") and
 * INSUFFICIENT_ACCESS / INSUFFICIENT_ACCESS_OR_READONLY. Server errors, limits (429,
 * REQUEST_LIMIT_EXCEEDED), network trouble and expired sessions are none of these: they still
 * stop the run, resumably where they are.
 */
const UNREADABLE_CODES: ReadonlySet<string> = new Set([
  'INVALID_TYPE',
  'INVALID_FIELD',
  'INVALID_TYPE_FOR_OPERATION',
  'INSUFFICIENT_ACCESS',
  'INSUFFICIENT_ACCESS_OR_READONLY',
]);

export interface UnreadableAnswer {
  status: number;
  code: string;
  /** What Salesforce said, as the error carries it. */
  message: string;
}

/** The org's refusal to let the integration user read an object, or null for any other error. */
export function unreadableAnswer(e: unknown): UnreadableAnswer | null {
  let status: number | undefined;
  let code: string | undefined;
  if (e instanceof SalesforceHttpError) {
    status = e.status;
    code = e.errorCode;
  } else if (e instanceof CrmError && (e.kind === 'config' || e.kind === 'bad-response')) {
    status = e.details.status;
    code = e.details.code;
  } else {
    return null;
  }
  if (status === undefined || code === undefined || status < 400 || status >= 500 || status === 401 || status === 429) return null;
  if (!UNREADABLE_CODES.has(code)) return null;
  return { status, code, message: e.message };
}

/**
 * The page a skipped stream ends with: no records, no deletions, not a finished full pull (so
 * nothing the mirror holds of the stream is swept), the cursor it had (so the next run reads
 * from where the stream really stands), and a data issue naming the object and the org's answer.
 */
export function skippedStreamPage(kind: ObjectKind, answer: UnreadableAnswer, cursor: Cursor | undefined): PullPage {
  const sobject = SOBJECT_BY_KIND[kind];
  const label = LABELS[kind] ?? kind;
  const fields = BASE_FIELDS[kind].filter((f) => f !== 'Id' && f !== 'SystemModstamp');
  return {
    object: kind,
    records: [],
    deletedIds: [],
    issues: [{
      object: kind,
      recordId: null,
      kind: 'object-unreadable',
      message: `${label.charAt(0).toUpperCase()}${label.slice(1)} not pulled: the integration user cannot read Salesforce ${sobject} (${answer.status} ${answer.code}). `
        + `The ${label} pulled before are kept as they were; give the integration user Read on ${sobject} and on its fields ${fields.join(', ')} to pull them. `
        + `Salesforce's answer: ${answer.message}`,
    }],
    cursor: cursor ?? {},
  };
}

const LABELS: Partial<Record<ObjectKind, string>> = { contactRoles: 'contact roles' };
