import { describe, expect, it } from 'vitest';
import { EncryptionKeyError, parseEncryptionKey, seal, unseal } from '../../../src/store/crypto.ts';

const KEY_A = Buffer.alloc(32, 7).toString('base64');

describe('token encryption', () => {
  it('rejects a tampered value and a malformed key without echoing it', () => {
    const key = parseEncryptionKey(KEY_A);
    const sealed = seal(key!, 'hello');
    expect(unseal(key, sealed, 'x')).toBe('hello');
    const parts = sealed.split(':');
    parts[4] = Buffer.from('hellp').toString('base64');
    expect(() => unseal(key, parts.join(':'), 'x')).toThrow(EncryptionKeyError);
    expect(() => parseEncryptionKey('c2hvcnQ=')).toThrow(/32 bytes, got 5/);
    expect(() => parseEncryptionKey('not base64!!')).toThrow(/not valid base64/);
    expect(() => parseEncryptionKey('not base64!!')).not.toThrow(/not base64!!/);
    expect(parseEncryptionKey('  ')).toBeNull();
  });
});
