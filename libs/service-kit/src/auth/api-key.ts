import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SECRET_LENGTH = 32;
const API_KEY_PATTERN = /^mxs_([0-9a-f]{12})_([0-9A-Za-z]{32})$/;

export interface GeneratedApiKey {
  /** Shown to the tenant once; never stored. */
  key: string;
  /** Stored in clear and unique: it finds the tenant without scanning hashes, and keys rate limits. */
  prefix: string;
  /** sha256 hex of the whole key: what the database keeps. */
  hash: string;
}

/** `mxs_<12 hex>_<32 base62>`: 48 bits to look a key up by, ~190 bits of secret. */
export function generateApiKey(): GeneratedApiKey {
  const prefix = randomBytes(6).toString('hex');
  const key = `mxs_${prefix}_${randomBase62(SECRET_LENGTH)}`;
  return { key, prefix, hash: hashApiKey(key) };
}

/** A plain sha256 is enough: the secret is random and long, so there is nothing to brute-force. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function parseApiKey(key: string): { prefix: string } | null {
  const match = API_KEY_PATTERN.exec(key);
  return match?.[1] === undefined ? null : { prefix: match[1] };
}

/** Compares a presented key with a stored hash in constant time. */
export function apiKeyMatches(key: string, storedHashHex: string): boolean {
  const stored = Buffer.from(storedHashHex, 'hex');
  const presented = createHash('sha256').update(key, 'utf8').digest();
  return stored.length === presented.length && timingSafeEqual(stored, presented);
}

function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length)) {
      // 248 = 4 × 62: rejecting bytes above it keeps every character equally likely.
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}
