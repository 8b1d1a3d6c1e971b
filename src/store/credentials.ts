import { credentialsSchema } from './codecs.ts';
import { ENCRYPTION_KEY_VAR, EncryptionKeyError, seal, unseal, type EncryptionKey } from './crypto.ts';
import type { Credentials } from '../contract/connector.ts';

/** A connection's tokens and client secret as one sealed value; EncryptionKeyError without a key. */
export function sealCredentials(key: EncryptionKey | null, connectionId: string, credentials: Credentials): string {
  if (key === null) {
    throw new EncryptionKeyError(`cannot store the credentials of connection ${connectionId}: set ${ENCRYPTION_KEY_VAR} (32 bytes, base64) first`);
  }
  return seal(key, JSON.stringify(credentials));
}

/** The stored credentials, or both null when none are stored; EncryptionKeyError on a missing or wrong key. */
export function unsealCredentials(key: EncryptionKey | null, connectionId: string, sealed: string | null): Credentials {
  if (sealed === null) return { tokens: null, clientSecret: null };
  const json = unseal(key, sealed, `the credentials of connection ${connectionId}`);
  const parsed = credentialsSchema.safeParse(JSON.parse(json));
  if (!parsed.success) throw new Error(`the stored credentials of connection ${connectionId} are not in the expected shape`);
  const { tokens, clientSecret } = parsed.data;
  return { tokens: tokens === null ? null : { ...tokens }, clientSecret };
}

/** Credentials worth sealing at creation: null when the connection has neither tokens nor secret. */
export function initialCredentials(key: EncryptionKey | null, connectionId: string, credentials: Credentials): string | null {
  return credentials.tokens || credentials.clientSecret ? sealCredentials(key, connectionId, credentials) : null;
}
