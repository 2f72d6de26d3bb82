import { METHODS } from 'node:http';
import type { KitRequest } from './http-types';

interface ExpressRoute {
  path?: unknown;
  methods?: Record<string, boolean | undefined>;
}

/**
 * Nest mounts path-bound middleware (`forRoutes('*')`) as an express route for every method, so
 * express reports it as "the route" of requests no endpoint matched. No endpoint accepts all methods.
 */
export function isCatchAllRoute(route: ExpressRoute): boolean {
  const methods = route.methods ?? {};
  return METHODS.every((method) => methods[method.toLowerCase()]);
}

/** The pattern of the endpoint that served `req` (`/v1/vms/:vmId`), or undefined when none did. */
export function matchedRoutePattern(req: KitRequest): string | undefined {
  const route = req.route as ExpressRoute | undefined;
  if (!route || typeof route.path !== 'string' || isCatchAllRoute(route)) return undefined;
  return route.path;
}
