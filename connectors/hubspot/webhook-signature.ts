import { createHmac, timingSafeEqual } from 'node:crypto';

/** HubSpot rejects nothing older; neither do we accept anything older (or that far ahead). */
export const MAX_SIGNATURE_AGE_MS = 5 * 60 * 1000;

/**
 * HubSpot decodes these escapes in the request URI before signing (request-validation docs,
 * v3); anything else stays as sent.
 */
const URI_DECODES: Record<string, string> = {
  '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$', '%27': "'",
  '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';',
};

export function normalizeSignedUri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => URI_DECODES[m.toUpperCase()] ?? m);
}

export function signV3(secret: string, method: string, uri: string, rawBody: string, timestamp: string): string {
  return createHmac('sha256', secret)
    .update(`${method.toUpperCase()}${normalizeSignedUri(uri)}${rawBody}${timestamp}`, 'utf8')
    .digest('base64');
}

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'stale' | 'mismatch' };

export interface SignedRequest {
  method: string;
  /** The full URI HubSpot called: scheme, host, path and query. */
  uri: string;
  rawBody: string;
  signature: string | undefined;
  timestamp: string | undefined;
}

export function verifyV3(secret: string, request: SignedRequest, nowMs: number): SignatureCheck {
  const { signature, timestamp } = request;
  if (!signature || !timestamp) return { ok: false, reason: 'missing' };
  if (!/^\d{1,15}$/.test(timestamp)) return { ok: false, reason: 'stale' };
  if (Math.abs(nowMs - Number(timestamp)) > MAX_SIGNATURE_AGE_MS) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(signV3(secret, request.method, request.uri, request.rawBody, timestamp), 'base64');
  const given = Buffer.from(signature, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'mismatch' };
  return { ok: true };
}
