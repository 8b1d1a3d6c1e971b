import express, { Router } from 'express';
import { z } from 'zod';
import type { ObjectKind } from '../../../connectors/connector.ts';
import type { Logger } from '../../log.ts';
import type { ChangedRecord, ConsoleBackend } from '../backend.ts';
import type { ServerConfig } from '../config.ts';
import { sendJsonError, zodIssues } from '../http.ts';
import { verifyV3 } from '../hubspot-signature.ts';

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

export function webhookRoutes(deps: { backend: ConsoleBackend; config: ServerConfig; logger: Logger; now: () => number }): Router {
  const { backend, config, logger, now } = deps;
  const router = Router();

  // The signature covers the exact bytes sent, so the body is kept raw here and parsed after.
  router.post('/webhooks/hubspot', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    const secret = config.hubspotClientSecret;
    if (!secret) return sendJsonError(res, 503, 'webhooks-disabled', 'HubSpot webhooks are not configured on this server.');
    const rawBody = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const check = verifyV3(secret, {
      method: req.method,
      uri: `${config.publicUrl}${req.originalUrl}`,
      rawBody,
      signature: req.get('x-hubspot-signature-v3'),
      timestamp: req.get('x-hubspot-request-timestamp'),
    }, now());
    if (!check.ok) {
      logger.warn({ reason: check.reason }, 'hubspot webhook refused');
      const message = check.reason === 'stale' ? 'The request timestamp is missing, malformed or older than 5 minutes.'
        : check.reason === 'missing' ? 'The X-HubSpot-Signature-v3 or X-HubSpot-Request-Timestamp header is missing.'
        : 'The signature does not match.';
      return sendJsonError(res, 401, 'bad-signature', message);
    }
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      return sendJsonError(res, 400, 'bad-request', 'The body is not valid JSON.');
    }
    const parsed = HubSpotEvents.safeParse(json);
    if (!parsed.success) return sendJsonError(res, 400, 'bad-request', 'The body is not a list of HubSpot events.', zodIssues(parsed.error, 'body'));

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
    let marked = 0;
    let unknownPortals = 0;
    for (const [portalId, records] of byPortal) {
      if (records.size === 0) continue;
      const result = await backend.markChanged({ crm: 'hubspot', accountId: portalId, records: [...records.values()] });
      marked += result.marked;
      if (result.unknownAccount) unknownPortals += 1;
    }
    logger.info({ events: parsed.data.length, marked, ignored, unknownPortals }, 'hubspot webhook');
    res.json({ marked, ignored, unknownPortals });
  });

  return router;
}
