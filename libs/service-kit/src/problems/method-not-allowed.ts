// Express answers a known path with the wrong method as "no route" (404); clients deserve a 405
// with `Allow`. We ask express's own router which routes match the path. Its stack is not typed
// publicly, so every step is checked at run time and any surprise means "no methods" (a plain 404).
import { isCatchAllRoute } from '../http/route-pattern';
import type { ProblemInit } from './problem-error';

interface RouteLayer {
  match(path: string): boolean;
  route: { methods: Record<string, boolean | undefined> };
}

function isRouteLayer(layer: unknown): layer is RouteLayer {
  if (typeof layer !== 'object' || layer === null) return false;
  const candidate = layer as { match?: unknown; route?: { methods?: unknown } };
  return typeof candidate.match === 'function' && typeof candidate.route?.methods === 'object';
}

/** Methods (upper case) that some route of the express app accepts for `path`; empty when none. */
export function allowedMethods(expressApp: unknown, path: string): string[] {
  const stack = (expressApp as { router?: { stack?: unknown } } | undefined)?.router?.stack;
  if (!Array.isArray(stack)) return [];
  const methods = new Set<string>();
  for (const layer of stack) {
    if (!isRouteLayer(layer) || isCatchAllRoute(layer.route) || !layer.match(path)) continue;
    for (const [method, enabled] of Object.entries(layer.route.methods)) {
      if (enabled && method !== '_all') methods.add(method.toUpperCase());
    }
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}

/** 405 with `Allow`: the path is served, by other methods. */
export function methodNotAllowedProblem(method: string, path: string, allow: readonly string[]): ProblemInit {
  return {
    status: 405,
    slug: 'method-not-allowed',
    title: 'Method not allowed',
    detail: `${method} is not allowed on ${path}; allowed: ${allow.join(', ')}`,
    headers: { Allow: allow.join(', ') },
  };
}
