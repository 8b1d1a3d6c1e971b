import { z } from 'zod';
import type { ObjectKind } from '../../src/contract/connector.ts';
import type { ChangedRecord, WebhookHandler, WebhookParse } from '../shared/source-module.ts';
import { MAX_SIGNATURE_AGE_MS, verifyV3 } from './webhook-signature.ts';

/** HubSpot's webhook events (v3 signatures), turned into the records each one touches. */

const NumericId = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,30}$/)]).transform(String);

const HubSpotEvent = z.looseObject({
  subscriptionType: z.string().min(1).max(100),
  portalId: NumericId,
  objectId: NumericId.optional(),
  objectTypeId: z.string().max(20).optional(),
  fromObjectId: NumericId.optional(),
  mergedObjectIds: z.array(NumericId).optional(),
});
const HubSpotEvents = z.array(HubSpotEvent).max(1000);
type HubSpotEventT = z.infer<typeof HubSpotEvent>;

const BY_NAME: Record<string, ObjectKind> = {
  company: 'accounts', contact: 'contacts', deal: 'opportunities', line_item: 'lineItems', product: 'products',
};
/** Generic `object.*` events name the type by id instead. */
const BY_TYPE_ID: Record<string, ObjectKind> = {
  '0-1': 'contacts', '0-2': 'accounts', '0-3': 'opportunities', '0-7': 'products', '0-8': 'lineItems',
};

/** The records an event touches; empty for event types Kamflow does not read. */
export function recordsOf(event: HubSpotEventT): ChangedRecord[] {
  const [prefix = '', action = ''] = event.subscriptionType.split('.');
  const object = prefix === 'object' ? BY_TYPE_ID[event.objectTypeId ?? ''] : BY_NAME[prefix];
  if (!object) return [];
  const id = action === 'associationChange' ? event.fromObjectId : event.objectId;
  if (!id) return [];
  const deleted = action === 'deletion' || action === 'privacyDeletion';
  const merged = action === 'merge' ? (event.mergedObjectIds ?? []).filter((m) => m !== id) : [];
  return [{ object, id, deleted }, ...merged.map((m) => ({ object, id: m, deleted: true }))];
}

export function parseEvents(rawBody: string): WebhookParse {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    return { ok: false, message: 'The body is not valid JSON.' };
  }
  const parsed = HubSpotEvents.safeParse(json);
  if (!parsed.success) {
    return { ok: false, message: 'The body is not a list of HubSpot events.', issues: parsed.error.issues.map((i) => ({ field: ['body', ...i.path.map(String)].join('.'), message: i.message })) };
  }
  const byPortal = new Map<string, Map<string, ChangedRecord>>();
  let ignored = 0;
  for (const event of parsed.data) {
    const records = recordsOf(event);
    if (records.length === 0) ignored += 1;
    const portal = byPortal.get(event.portalId) ?? new Map<string, ChangedRecord>();
    // A deletion wins over a change of the same record in one batch.
    for (const r of records) {
      const key = `${r.object}:${r.id}`;
      if (!portal.get(key)?.deleted) portal.set(key, r);
    }
    byPortal.set(event.portalId, portal);
  }
  const changes = [...byPortal].filter(([, records]) => records.size > 0).map(([accountId, records]) => ({ accountId, records: [...records.values()] }));
  return { ok: true, changes, ignored, events: parsed.data.length };
}

export const hubSpotWebhook: WebhookHandler = {
  // The app's own client secret signs its webhooks unless a separate one is set.
  secretEnv: ['KAMFLOW_HUBSPOT_CLIENT_SECRET'],
  verify(secret, request, nowMs) {
    const check = verifyV3(secret, {
      method: request.method, uri: request.uri, rawBody: request.rawBody,
      signature: request.headers['x-hubspot-signature-v3'], timestamp: request.headers['x-hubspot-request-timestamp'],
    }, nowMs);
    // A valid signature covers method, URI, body and timestamp: it names the delivery.
    if (check.ok) {
      const signature = request.headers['x-hubspot-signature-v3'] ?? '';
      return { ok: true, delivery: { id: signature, acceptableUntil: Number(request.headers['x-hubspot-request-timestamp']) + MAX_SIGNATURE_AGE_MS } };
    }
    const message = check.reason === 'stale' ? 'The request timestamp is missing, malformed or older than 5 minutes.'
      : check.reason === 'missing' ? 'The X-HubSpot-Signature-v3 or X-HubSpot-Request-Timestamp header is missing.'
      : 'The signature does not match.';
    return { ok: false, message };
  },
  parse: parseEvents,
};
