/// <reference types="jest" />
import { apiKeyMatches, generateApiKey, hashApiKey, parseApiKey } from './api-key';

describe('API keys', () => {
  it('have the mxs_<12 hex>_<32 base62> shape, a matching prefix and a sha256 hash', () => {
    const { key, prefix, hash } = generateApiKey();
    expect(key).toMatch(/^mxs_[0-9a-f]{12}_[0-9A-Za-z]{32}$/);
    expect(parseApiKey(key)).toEqual({ prefix });
    expect(hash).toBe(hashApiKey(key));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('are different every time', () => {
    const keys = new Set(Array.from({ length: 200 }, () => generateApiKey().key));
    expect(keys.size).toBe(200);
  });

  it('match only their own hash', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(apiKeyMatches(a.key, a.hash)).toBe(true);
    expect(apiKeyMatches(a.key, b.hash)).toBe(false);
    expect(apiKeyMatches(a.key, 'not hex')).toBe(false);
  });

  it('parse to null when malformed', () => {
    for (const bad of ['', 'mxs_', 'mxs_ABCDEF012345_' + 'a'.repeat(32), 'mxs_0123456789ab_' + 'a'.repeat(31), 'xyz_0123456789ab_' + 'a'.repeat(32)]) {
      expect(parseApiKey(bad)).toBeNull();
    }
  });
});
