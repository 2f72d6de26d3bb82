import type { IncomingMessage } from 'node:http';

/** The tenant a TenantKeyGuard authenticated. */
export interface AuthenticatedTenant {
  tenantId: string;
}

/**
 * The parts of an express request the kit reads. We type them here rather than depend on
 * @types/express; `id` and `log` come from pino-http's augmentation of IncomingMessage.
 */
export interface KitRequest extends IncomingMessage {
  body?: unknown;
  query?: unknown;
  params?: Record<string, string | undefined>;
  originalUrl?: string;
  ip?: string;
  route?: { path?: unknown };
  app?: unknown;
  tenant?: AuthenticatedTenant;
}

/** The request path without its query string: what `instance` and route matching use. */
export function requestPath(req: KitRequest): string {
  const url = req.originalUrl ?? req.url ?? '/';
  const queryAt = url.indexOf('?');
  return queryAt === -1 ? url : url.slice(0, queryAt);
}

/** The single value of a header; a repeated header counts as its first value. */
export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
