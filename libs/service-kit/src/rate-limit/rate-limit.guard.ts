import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Inject, Injectable, SetMetadata } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import type { ServerResponse } from 'node:http';
import { parseApiKey } from '../auth/api-key';
import { bearerToken } from '../auth/bearer';
import type { TenantKeyVerifier } from '../auth/tenant-key.guard';
import { TENANT_KEY_VERIFIER } from '../auth/tenant-key.guard';
import type { KitRequest } from '../http/http-types';
import { ProblemError } from '../problems/problem-error';
import type { RateLimitDecision } from './rate-limiter';
import { RateLimiter } from './rate-limiter';

const SKIP_RATE_LIMIT = 'mxs:skip-rate-limit';

/** Exempts a controller or route (health probes, metrics scrapes) from rate limits. */
export const SkipRateLimit = (): ClassDecorator & MethodDecorator => SetMetadata(SKIP_RATE_LIMIT, true);

/** What a request is counted against when it carries no verified tenant key: its address. */
export function clientAddressKey(req: KitRequest): string {
  return `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
}

/**
 * Counts each request against its tenant when its key verifies, else against its client
 * address: random well-formed keys cannot dodge the limit, and knowing a tenant's key prefix
 * (admins see it) is not enough to spend that tenant's budget. Runs before authentication, so
 * key guessing is limited too; the app's verifier caches, so the auth guard's check is free.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private verifier: TenantKeyVerifier | null | undefined;

  constructor(
    @Inject(RateLimiter) private readonly limiter: RateLimiter,
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http' || !this.limiter.enabled) return true;
    if (this.reflector.getAllAndOverride<boolean>(SKIP_RATE_LIMIT, [context.getHandler(), context.getClass()])) {
      return true;
    }
    const http = context.switchToHttp();
    const decision = await this.limiter.consume(await this.rateLimitKey(http.getRequest<KitRequest>()));
    const headers = rateLimitHeaders(decision);
    if (decision.allowed) {
      const res = http.getResponse<ServerResponse>();
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      return true;
    }
    throw new ProblemError({
      status: 429,
      slug: 'rate-limited',
      title: 'Too many requests',
      detail: `More than ${decision.limit} requests in this window; retry after ${headers['Retry-After']} s.`,
      headers,
    });
  }

  async rateLimitKey(req: KitRequest): Promise<string> {
    const token = bearerToken(req);
    const verifier = this.tenantVerifier();
    if (token === undefined || verifier === null || parseApiKey(token) === null) return clientAddressKey(req);
    try {
      const tenant = await verifier.verify(token);
      return tenant === null ? clientAddressKey(req) : `tenant:${tenant.tenantId}`;
    } catch {
      // The verifier's store is down: the request fails at authentication; count its address.
      return clientAddressKey(req);
    }
  }

  /** The app's verifier, wherever it is provided (the kit's module cannot import the app's). */
  private tenantVerifier(): TenantKeyVerifier | null {
    if (this.verifier === undefined) {
      try {
        this.verifier = this.moduleRef.get<TenantKeyVerifier>(TENANT_KEY_VERIFIER, { strict: false });
      } catch {
        this.verifier = null;
      }
    }
    return this.verifier;
  }
}

/** IETF draft RateLimit-* fields (seconds), plus Retry-After when refused. */
export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  const resetSeconds = Math.max(1, Math.ceil(decision.resetMs / 1000));
  return {
    'RateLimit-Limit': String(decision.limit),
    'RateLimit-Remaining': String(decision.remaining),
    'RateLimit-Reset': String(resetSeconds),
    ...(decision.allowed ? {} : { 'Retry-After': String(resetSeconds) }),
  };
}
