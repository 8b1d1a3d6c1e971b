import { describe, expect, it } from 'vitest';
import { normalizeSignedUri, signV3, verifyV3 } from '../../../connectors/hubspot/webhook-signature.ts';

const SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const TS = '1564113600000';
const NOW = 1564113600000 + 60_000;
// Expected values computed with: printf '%s' "<method><uri><body><ts>" | openssl dgst -sha256 -hmac SECRET -binary | base64
const BODY = '[{"eventId":1,"objectId":123}]';
const SIG = 'qCeBeDcdo4+z2iaWKOjiNmrk4wyOSUHMdfSXLE9lQKg=';

describe('HubSpot v3 signatures', () => {
  it('matches an HMAC-SHA256 computed with openssl', () => {
    expect(signV3(SECRET, 'POST', 'https://www.example.com/webhook_uri', BODY, TS)).toBe(SIG);
  });

  it('decodes the escapes HubSpot decodes before signing', () => {
    expect(normalizeSignedUri('https://kamflow.example.com/webhooks/hubspot?a=b%3Ac%20d%2f')).toBe('https://kamflow.example.com/webhooks/hubspot?a=b:c%20d/');
    expect(signV3(SECRET, 'POST', 'https://kamflow.example.com/webhooks/hubspot?a=b%3Ac', '[]', TS)).toBe('81T/kX6hIq2W+7ldQD7GjzIXA6xJ0QsypDv68xSZja4=');
  });

  const request = { method: 'POST', uri: 'https://www.example.com/webhook_uri', rawBody: BODY, signature: SIG, timestamp: TS };

  it('accepts a good signature within 5 minutes either way', () => {
    expect(verifyV3(SECRET, request, NOW)).toEqual({ ok: true });
    expect(verifyV3(SECRET, request, 1564113600000 + 300_000)).toEqual({ ok: true });
    expect(verifyV3(SECRET, request, 1564113600000 - 300_000)).toEqual({ ok: true });
  });

  it('refuses a stale or far-future timestamp', () => {
    expect(verifyV3(SECRET, request, 1564113600000 + 300_001)).toEqual({ ok: false, reason: 'stale' });
    expect(verifyV3(SECRET, request, 1564113600000 - 300_001)).toEqual({ ok: false, reason: 'stale' });
    expect(verifyV3(SECRET, { ...request, timestamp: 'yesterday' }, NOW)).toEqual({ ok: false, reason: 'stale' });
  });

  it('refuses a changed body, URI, method, secret or missing headers', () => {
    expect(verifyV3(SECRET, { ...request, rawBody: BODY.replace('123', '124') }, NOW)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyV3(SECRET, { ...request, uri: 'https://www.example.com/other' }, NOW)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyV3(SECRET, { ...request, method: 'PUT' }, NOW)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyV3('another-secret', request, NOW)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyV3(SECRET, { ...request, signature: 'short' }, NOW)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyV3(SECRET, { ...request, signature: undefined }, NOW)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyV3(SECRET, { ...request, timestamp: undefined }, NOW)).toEqual({ ok: false, reason: 'missing' });
  });
});
