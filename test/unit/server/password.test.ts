import { describe, expect, it } from 'vitest';
import { hashPassword, isPasswordHash, verifyPassword } from '../../../src/server/password.ts';

describe('admin password hashes', () => {
  it('writes the documented scrypt format and verifies only the right password', async () => {
    const hash = await hashPassword('a long enough password', { logN: 10 });
    expect(hash).toMatch(/^scrypt\$10\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(isPasswordHash(hash)).toBe(true);
    expect(await verifyPassword('a long enough password', hash)).toBe(true);
    expect(await verifyPassword('a long enough passworD', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('salts: the same password hashes differently each time', async () => {
    const [a, b] = await Promise.all([hashPassword('a long enough password', { logN: 10 }), hashPassword('a long enough password', { logN: 10 })]);
    expect(a).not.toBe(b);
  });

  it('defaults to N = 2^15', async () => {
    expect(await hashPassword('a long enough password')).toMatch(/^scrypt\$15\$8\$1\$/);
  });

  it('refuses passwords under 12 characters', async () => {
    await expect(hashPassword('short')).rejects.toThrow('at least 12 characters');
  });

  it('treats malformed or out-of-range hashes as a failed check, never a crash', async () => {
    for (const bad of ['', 'plain', 'bcrypt$10$x', 'scrypt$30$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
      expect(isPasswordHash(bad)).toBe(false);
      expect(await verifyPassword('anything at all', bad)).toBe(false);
    }
  });
});
