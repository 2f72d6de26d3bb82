import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { Histogram } from 'prom-client';
import type { KitRequest } from '../http/http-types';
import { matchedRoutePattern } from '../http/route-pattern';

/** Label of requests no route matched: raw URLs would give every scanner probe its own series. */
export const UNMATCHED_ROUTE = '(unmatched)';

export function createRequestDurationHistogram(registry: Registry): Histogram<'method' | 'route' | 'status'> {
  return new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
}

/**
 * Times every request, including those refused before a route ran (bad bodies, 404s), and
 * labels it with the route pattern express matched (`/v1/vms/:vmId/expansions`).
 */
export function httpMetricsMiddleware(histogram: Histogram<'method' | 'route' | 'status'>) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const startedAt = process.hrtime.bigint();
    res.once('finish', () => {
      histogram.observe(
        {
          method: req.method ?? 'UNKNOWN',
          route: matchedRoutePattern(req as KitRequest) ?? UNMATCHED_ROUTE,
          status: String(res.statusCode),
        },
        Number(process.hrtime.bigint() - startedAt) / 1e9,
      );
    });
    next();
  };
}
