import { describe, expect, it } from 'vitest';
import { signV3 } from '../../../connectors/hubspot/webhook-signature.ts';
import { startTest, WEBHOOK_SECRET, type Harness } from './harness.ts';

const URI = 'https://kamflow.example.com/webhooks/hubspot';

function events(): unknown[] {
  return [
    { eventId: 1, subscriptionId: 9, portalId: 62515, appId: 5, occurredAt: 1, subscriptionType: 'company.propertyChange', attemptNumber: 0, objectId: 1001, propertyName: 'name', propertyValue: 'x', changeSource: 'CRM' },
    { eventId: 2, subscriptionId: 9, portalId: 62515, appId: 5, occurredAt: 1, subscriptionType: 'deal.deletion', attemptNumber: 0, objectId: 2002 },
    { eventId: 3, subscriptionId: 9, portalId: 62515, appId: 5, occurredAt: 1, subscriptionType: 'company.propertyChange', attemptNumber: 0, objectId: 1001, propertyName: 'domain' },
    { eventId: 4, subscriptionId: 9, portalId: 62515, appId: 5, occurredAt: 1, subscriptionType: 'ticket.creation', attemptNumber: 0, objectId: 7 },
  ];
}

async function post(h: Harness, body: string, headers: Record<string, string>, path = '/webhooks/hubspot') {
  return fetch(h.url + path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
}

function signed(h: Harness, body: string, opts: { ts?: number; uri?: string; secret?: string } = {}): Record<string, string> {
  const ts = String(opts.ts ?? h.clock.ms);
  return {
    'x-hubspot-signature-v3': signV3(opts.secret ?? WEBHOOK_SECRET, 'POST', opts.uri ?? URI, body, ts),
    'x-hubspot-request-timestamp': ts,
  };
}

describe('POST /webhooks/hubspot', () => {
  it('marks the changed records of valid events, once each, without a session', async () => {
    const h = await startTest();
    // Spacing kept as sent: the signature covers the raw bytes, not a re-serialisation.
    const body = JSON.stringify(events(), null, 1);
    const res = await post(h, body, signed(h, body));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ marked: 2, ignored: 1, unknownAccounts: 0 });
    expect(h.backend.marked).toEqual([{
      crm: 'hubspot', accountId: '62515',
      records: [{ object: 'accounts', id: '1001', deleted: false }, { object: 'opportunities', id: '2002', deleted: true }],
    }]);
  });

  it('ignores a correctly signed delivery replayed within its window, and forgets it once the window is over', async () => {
    const h = await startTest();
    const body = JSON.stringify(events().slice(0, 1));
    const headers = signed(h, body);
    expect(await (await post(h, body, headers)).json()).toEqual({ marked: 1, ignored: 0, unknownAccounts: 0 });
    h.clock.advance(4 * 60_000);
    const replay = await post(h, body, headers);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ marked: 0, ignored: 0, unknownAccounts: 0, replayed: true });
    expect(h.backend.marked).toHaveLength(1);
    // Past the five minutes the timestamp check refuses it.
    h.clock.advance(60_001);
    expect((await post(h, body, headers)).status).toBe(401);
  });

  it('accepts a signature over the URI with its query string', async () => {
    const h = await startTest();
    const body = JSON.stringify(events().slice(0, 1));
    const res = await post(h, body, signed(h, body, { uri: `${URI}?app=kamflow` }), '/webhooks/hubspot?app=kamflow');
    expect(res.status).toBe(200);
  });

  it('refuses a bad signature with 401 and changes nothing', async () => {
    const h = await startTest();
    const body = JSON.stringify(events());
    const res = await post(h, body, signed(h, body, { secret: 'not-the-secret' }));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'bad-signature', message: 'The signature does not match.' });
    expect(h.backend.marked).toEqual([]);
  });

  it('refuses a body changed after signing', async () => {
    const h = await startTest();
    const body = JSON.stringify(events());
    const res = await post(h, body.replace('1001', '1002'), signed(h, body));
    expect(res.status).toBe(401);
    expect(h.backend.marked).toEqual([]);
  });

  it('refuses a timestamp older than 5 minutes, even correctly signed', async () => {
    const h = await startTest();
    const body = JSON.stringify(events());
    const res = await post(h, body, signed(h, body, { ts: h.clock.ms - 5 * 60_000 - 1 }));
    expect(res.status).toBe(401);
    expect((await res.json() as { message: string }).message).toContain('older than 5 minutes');
    expect(h.backend.marked).toEqual([]);
  });

  it('refuses missing signature headers', async () => {
    const h = await startTest();
    const res = await post(h, '[]', {});
    expect(res.status).toBe(401);
    expect(h.backend.marked).toEqual([]);
  });

  it('names the bad field of a signed but malformed payload', async () => {
    const h = await startTest();
    const body = JSON.stringify([{ subscriptionType: 'company.creation', objectId: 5 }]);
    const res = await post(h, body, signed(h, body));
    expect(res.status).toBe(400);
    const json = await res.json() as { issues: { field: string }[] };
    expect(json.issues.map((i) => i.field)).toEqual(['body.0.portalId']);
    expect(h.backend.marked).toEqual([]);
  });

  it('answers 503 when no HubSpot client secret is configured', async () => {
    const h = await startTest();
    h.backend.webhookSecret = null;
    const res = await post(h, '[]', signed(h, '[]'));
    expect(res.status).toBe(503);
  });
});
