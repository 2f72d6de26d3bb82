/// <reference types="jest" />
import { generateApiKey } from './api-key';
import { CachedTenantKeyVerifier, TENANT_KEY_CACHE_MS } from './cached-tenant-key-verifier';

describe('CachedTenantKeyVerifier', () => {
  const key = generateApiKey();
  let stored: Map<string, { tenantId: string; apiKeyHash: string }>;
  let lookups: number;
  let nowMs: number;
  let verifier: CachedTenantKeyVerifier;

  beforeEach(() => {
    stored = new Map([[key.prefix, { tenantId: 'acme', apiKeyHash: key.hash }]]);
    lookups = 0;
    nowMs = 1_000_000;
    verifier = new CachedTenantKeyVerifier(
      (prefix) => {
        lookups++;
        return Promise.resolve(stored.get(prefix) ?? null);
      },
      () => nowMs,
    );
  });

  it('answers the tenant of a stored key and keeps it for the cache time', async () => {
    expect(await verifier.verify(key.key)).toEqual({ tenantId: 'acme' });
    expect(await verifier.verify(key.key)).toEqual({ tenantId: 'acme' });
    expect(lookups).toBe(1);
    nowMs += TENANT_KEY_CACHE_MS;
    stored.clear();
    expect(await verifier.verify(key.key)).toBeNull();
    expect(lookups).toBe(2);
  });

  it('refuses a key whose secret part differs from the stored hash, and malformed keys without a lookup', async () => {
    const forged = `${key.key.slice(0, -1)}${key.key.endsWith('A') ? 'B' : 'A'}`;
    expect(await verifier.verify(forged)).toBeNull();
    expect(await verifier.verify('not-a-key')).toBeNull();
    expect(lookups).toBe(1);
  });

  it('forgets verified keys on demand, so a rotation takes effect in this process at once', async () => {
    await verifier.verify(key.key);
    stored.clear();
    verifier.forgetAll();
    expect(await verifier.verify(key.key)).toBeNull();
  });
});
