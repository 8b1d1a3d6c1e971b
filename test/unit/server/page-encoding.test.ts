import { describe, expect, it } from 'vitest';
import { pageEncoding } from '../../../src/server/views/family.ts';

describe('the family page encoding', () => {
  it('takes brotli first, then gzip, and nothing refused with q=0 or not asked for', () => {
    expect(pageEncoding('gzip, deflate, br')).toBe('br');
    expect(pageEncoding('gzip, deflate')).toBe('gzip');
    expect(pageEncoding('br;q=0, gzip;q=0.5')).toBe('gzip');
    expect(pageEncoding('br;q=0, gzip;q=0')).toBeNull();
    expect(pageEncoding('*')).toBe('gzip');
    expect(pageEncoding('identity')).toBeNull();
    expect(pageEncoding(undefined)).toBeNull();
    expect(pageEncoding('')).toBeNull();
  });

});
