import { createHash, randomBytes } from 'node:crypto';

/** RFC 7636: 43-128 characters from the unreserved set; 32 random bytes give 43. */
export function createCodeVerifier(): string {
  return randomBytes(32).toString('base64url');
}

export function codeChallengeS256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}
