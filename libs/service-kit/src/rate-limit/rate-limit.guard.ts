import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ServerResponse } from 'node:http';
import { parseApiKey } from '../auth/api-key';
import { bearerToken } from '../auth/bearer';
import type { KitRequest } from '../http/http-types';
import { ProblemError } from '../problems/problem-error';
import type { RateLimitDecision } from './rate-limiter';
import { RateLimiter } from './rate-limiter';

const SKIP_RATE_LIMIT = 'mxs:skip-rate-limit';

/** Exempts a controller or route (health probes, metrics scrapes) from rate limits. */
export const SkipRateLimit = (): ClassDecorator & MethodDecorator => SetMetadata(SKIP_RATE_LIMIT, true);

/**
 * Counts each request against its API key's prefix, or its client address when it has no
 * well-formed key (so random bearer tokens cannot dodge the limit). Runs before authentication,
 * so key guessing is limited too.
 */
export function rateLimitKey(req: KitRequest): string {
  const token = bearerToken(req);
  const apiKey = token === undefined ? null : parseApiKey(token);
  return apiKey ? `key:${apiKey.prefix}` : `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
}

@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    @Inject(RateLimiter) private readonly limiter: RateLimiter,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http' || !this.limiter.enabled) return true;
    if (this.reflector.getAllAndOverride<boolean>(SKIP_RATE_LIMIT, [context.getHandler(), context.getClass()])) {
      return true;
    }
    const http = context.switchToHttp();
    const decision = await this.limiter.consume(rateLimitKey(http.getRequest<KitRequest>()));
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
