import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Admin password hashes, as one string safe to keep in an environment variable:
 *
 *   scrypt$<log2 N>$<r>$<p>$<salt, base64url>$<key, base64url>
 *
 * e.g. `scrypt$15$8$1$3q2-...$Zx9...` (N = 32768, r = 8, p = 1, 16-byte salt, 32-byte key).
 * Produce one with `npx tsx src/server/hash-password.ts` (reads the password from stdin).
 */

const DEFAULTS = { logN: 15, r: 8, p: 1, saltBytes: 16, keyBytes: 32 };
const FORMAT = /^scrypt\$(\d{1,2})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{43,})$/;

function derive(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function optionsFor(logN: number, r: number, p: number): ScryptOptions {
  // maxmem must cover 128 * N * r bytes, or node refuses the larger cost factors.
  return { N: 2 ** logN, r, p, maxmem: 256 * 2 ** logN * r };
}

export async function hashPassword(password: string, cost: { logN?: number } = {}): Promise<string> {
  if (password.length < 12) throw new RangeError('the admin password must have at least 12 characters');
  const logN = cost.logN ?? DEFAULTS.logN;
  const salt = randomBytes(DEFAULTS.saltBytes);
  const key = await derive(password, salt, DEFAULTS.keyBytes, optionsFor(logN, DEFAULTS.r, DEFAULTS.p));
  return ['scrypt', logN, DEFAULTS.r, DEFAULTS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export function isPasswordHash(value: string): boolean {
  const m = FORMAT.exec(value);
  if (!m) return false;
  const [logN, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return logN >= 10 && logN <= 20 && r >= 1 && r <= 32 && p >= 1 && p <= 16;
}

/** False for a wrong password and for a malformed hash; never throws on either. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const m = FORMAT.exec(hash);
  if (!m || !isPasswordHash(hash)) return false;
  const salt = Buffer.from(m[4] ?? '', 'base64url');
  const expected = Buffer.from(m[5] ?? '', 'base64url');
  const key = await derive(password, salt, expected.length, optionsFor(Number(m[1]), Number(m[2]), Number(m[3])));
  return timingSafeEqual(key, expected);
}
