import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Token encryption at rest: AES-256-GCM under KAMFLOW_ENCRYPTION_KEY. Each sealed value carries
 * a short fingerprint of the key it was sealed with, so a different key is named as such
 * instead of surfacing as an opaque authentication failure; GCM's tag still rejects any
 * tampering, so nothing is ever decrypted into garbage.
 */

export const ENCRYPTION_KEY_VAR = 'KAMFLOW_ENCRYPTION_KEY';
const FORMAT = 'v1';

export class EncryptionKeyError extends Error {
  override readonly name = 'EncryptionKeyError';
}

export interface EncryptionKey {
  readonly bytes: Buffer;
  readonly fingerprint: string;
}

/** Parses a base64 key of exactly 32 bytes; the message never repeats the value. */
export function parseEncryptionKey(value: string | undefined): EncryptionKey | null {
  if (value === undefined || value.trim() === '') return null;
  const trimmed = value.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) {
    throw new EncryptionKeyError(`${ENCRYPTION_KEY_VAR} is not valid base64 (expected 32 random bytes, e.g. from \`openssl rand -base64 32\`)`);
  }
  const bytes = Buffer.from(trimmed, 'base64');
  if (bytes.length !== 32) {
    throw new EncryptionKeyError(`${ENCRYPTION_KEY_VAR} must decode to 32 bytes, got ${bytes.length} (use \`openssl rand -base64 32\`)`);
  }
  return { bytes, fingerprint: fingerprintOf(bytes) };
}

function fingerprintOf(key: Buffer): string {
  return createHmac('sha256', key).update('kamflow-key-check').digest('hex').slice(0, 16);
}

export function seal(key: EncryptionKey, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.bytes, iv);
  cipher.setAAD(Buffer.from(`${FORMAT}:${key.fingerprint}`));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [FORMAT, key.fingerprint, iv.toString('base64'), tag.toString('base64'), data.toString('base64')].join(':');
}

/** `what` names the sealed value in error messages (e.g. "tokens of connection sf-1"). */
export function unseal(key: EncryptionKey | null, sealed: string, what: string): string {
  if (key === null) {
    throw new EncryptionKeyError(`${what} are stored encrypted: set ${ENCRYPTION_KEY_VAR} to the key they were stored with`);
  }
  const parts = sealed.split(':');
  const [format, fingerprint, iv, tag, data] = parts;
  if (parts.length !== 5 || format !== FORMAT || !fingerprint || !iv || !tag || data === undefined) {
    throw new EncryptionKeyError(`${what} are not in a readable encrypted format`);
  }
  if (fingerprint !== key.fingerprint) {
    throw new EncryptionKeyError(`${ENCRYPTION_KEY_VAR} is not the key ${what} were stored with; set the original key or reconnect`);
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(`${FORMAT}:${fingerprint}`));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new EncryptionKeyError(`${what} failed authentication: they were altered or sealed with another key`);
  }
}

/** The key fingerprint a sealed value carries, or null when it is not in the sealed format. */
export function sealedFingerprint(sealed: string): string | null {
  const parts = sealed.split(':');
  return parts.length === 5 && parts[0] === FORMAT && parts[1] ? parts[1] : null;
}

/** The setting under which a store remembers the fingerprint of the key it was set up with. */
export const KEY_CHECK_SETTING = 'encryption-key-check';

/**
 * Decides whether `key` may be used on a store. `remembered`: the fingerprint the store keeps;
 * `sealedSample`: any sealed value it holds (stores from before the key check carry the
 * fingerprint in each sealed value). Returns the fingerprint to remember, or throws
 * EncryptionKeyError for a second key: values sealed under two keys must never mix in one store.
 */
export function checkStoreKey(key: EncryptionKey, remembered: string | null, sealedSample: string | null): string {
  const known = remembered ?? (sealedSample === null ? null : sealedFingerprint(sealedSample));
  if (known !== null && known !== key.fingerprint) {
    throw new EncryptionKeyError(
      `${ENCRYPTION_KEY_VAR} is not the key this store was set up with: Kamflow refuses a second key on one store, so that credentials are never sealed under two keys; set the original key (or use another store)`,
    );
  }
  return key.fingerprint;
}
