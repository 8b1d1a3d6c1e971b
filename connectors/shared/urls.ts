import { BadInputError } from '../../src/contract/errors.ts';

/** An https origin (http only on loopback) from a flag or setting; BadInputError naming it otherwise. */
export function checkOrigin(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new BadInputError([`${name} is not a URL: "${value}"`]);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw new BadInputError([`${name} must use https (http only for localhost)`]);
  return url.origin;
}
