import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks a presented token against a configured secret in constant time: both sides are hashed
 * first, so the comparison leaks neither the secret nor its length.
 */
export function sharedSecretMatcher(secret: string): (token: string | undefined) => boolean {
  const expected = sha256(secret);
  return (token) => token !== undefined && timingSafeEqual(sha256(token), expected);
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
