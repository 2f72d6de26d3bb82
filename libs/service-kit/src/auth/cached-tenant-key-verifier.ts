import type { AuthenticatedTenant } from '../http/http-types';
import { apiKeyMatches, hashApiKey, parseApiKey } from './api-key';
import type { TenantKeyVerifier } from './tenant-key.guard';

/** Where the stored hash of a key is found: the tenant with this prefix, or null. */
export type TenantKeyLookup = (prefix: string) => Promise<{ tenantId: string; apiKeyHash: string } | null>;

/** A verified key is trusted this long before it is checked again (a rotation takes this long). */
export const TENANT_KEY_CACHE_MS = 30_000;
const MAX_CACHED_KEYS = 10_000;

/**
 * Every app's tenant-key check: look the prefix up, compare the hash in constant time, and keep
 * the answer for TENANT_KEY_CACHE_MS so a busy tenant costs one lookup per half-minute.
 */
export class CachedTenantKeyVerifier implements TenantKeyVerifier {
  private readonly verified = new Map<string, { tenantId: string; untilMs: number }>();

  constructor(
    private readonly lookup: TenantKeyLookup,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async verify(apiKey: string): Promise<AuthenticatedTenant | null> {
    const cacheKey = hashApiKey(apiKey);
    const cached = this.verified.get(cacheKey);
    if (cached !== undefined && cached.untilMs > this.nowMs()) return { tenantId: cached.tenantId };
    const parsed = parseApiKey(apiKey);
    if (parsed === null) return null;
    const stored = await this.lookup(parsed.prefix);
    if (stored === null || !apiKeyMatches(apiKey, stored.apiKeyHash)) return null;
    if (this.verified.size >= MAX_CACHED_KEYS) this.verified.clear();
    this.verified.set(cacheKey, { tenantId: stored.tenantId, untilMs: this.nowMs() + TENANT_KEY_CACHE_MS });
    return { tenantId: stored.tenantId };
  }

  /** Forgets every verified key (this process's copy; other replicas forget within the cache time). */
  forgetAll(): void {
    this.verified.clear();
  }
}
