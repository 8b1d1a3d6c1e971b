import { createHash } from 'node:crypto';
import type { SourceModule } from '../../connectors/shared/source-module.ts';
import type { ChangedRecord, WebhookRequest, WebhookResult } from '../server/backend.ts';

export interface WebhookDeps {
  sources: readonly SourceModule[];
  /** The signing secret of each source, by id (console settings). */
  secrets: Partial<Record<string, string>>;
  now: () => number;
  /** Marks one account's records for the next sync of its connections; `unknownAccount` when none matches. */
  mark: (source: SourceModule, accountId: string, records: ChangedRecord[]) => Promise<{ marked: number; unknownAccount: boolean }>;
  /** Records a delivery as seen until `expiresAt`; false when it was seen before (the store's rememberOnce). */
  rememberOnce: (key: string, expiresAt: number, now: number) => Promise<boolean>;
}

/**
 * A source's change notification: the source's module checks the signature and reads the
 * events; the records they name are marked for the next sync of the matching connections.
 */
export async function receiveWebhook(deps: WebhookDeps, request: WebhookRequest): Promise<WebhookResult> {
  const source = deps.sources.find((s) => s.kind === request.source);
  const handler = source?.webhook;
  if (!source || !handler) return { status: 404, error: 'not-found', message: 'No such endpoint.' };
  const secret = deps.secrets[source.kind];
  if (!secret) return { status: 503, error: 'webhooks-disabled', message: `${source.label} webhooks are not configured on this server.` };
  const check = handler.verify(secret, request, deps.now());
  if (!check.ok) return { status: 401, error: 'bad-signature', message: check.message };
  if (check.delivery) {
    // Remembered in the database until the source's window closes: a signed request sent
    // again (to this server or another) is answered, and changes nothing.
    const key = `webhook:${source.kind}:${createHash('sha256').update(check.delivery.id).digest('base64url')}`;
    if (!(await deps.rememberOnce(key, check.delivery.acceptableUntil, deps.now()))) {
      return { status: 200, body: { marked: 0, ignored: 0, unknownAccounts: 0, replayed: true } };
    }
  }
  const parsed = handler.parse(request.rawBody);
  if (!parsed.ok) return { status: 400, error: 'bad-request', message: parsed.message, ...(parsed.issues ? { issues: parsed.issues } : {}) };
  let marked = 0;
  let unknownAccounts = 0;
  for (const change of parsed.changes) {
    const result = await deps.mark(source, change.accountId, change.records);
    marked += result.marked;
    if (result.unknownAccount) unknownAccounts += 1;
  }
  return { status: 200, body: { marked, ignored: parsed.ignored, unknownAccounts } };
}
