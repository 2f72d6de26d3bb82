import { DEFAULT_DATABASE_URL, redactDatabaseUrl } from '@mxs/persistence';
import { StackError } from './stack-error';

export { DEFAULT_DATABASE_URL };
/** Where the apps look when REDIS_URL is not set. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** A server URL and whether the operator chose it (an environment variable) or it is our default. */
export interface Endpoint {
  readonly url: string;
  readonly fromEnv: boolean;
}

export interface Endpoints {
  readonly postgres: Endpoint;
  readonly redis: Endpoint;
}

const SCHEMES = {
  postgres: { variable: 'DATABASE_URL', schemes: ['postgres:', 'postgresql:'], defaultPort: 5432 },
  redis: { variable: 'REDIS_URL', schemes: ['redis:', 'rediss:'], defaultPort: 6379 },
} as const;

export type ServiceName = keyof typeof SCHEMES;

/** DATABASE_URL and REDIS_URL from the environment (blank counts as unset), else the local defaults. */
export function configuredEndpoints(env: NodeJS.ProcessEnv): Endpoints {
  return {
    postgres: endpointOf('postgres', env, DEFAULT_DATABASE_URL),
    redis: endpointOf('redis', env, DEFAULT_REDIS_URL),
  };
}

function endpointOf(service: ServiceName, env: NodeJS.ProcessEnv, fallback: string): Endpoint {
  const { variable, schemes } = SCHEMES[service];
  const value = env[variable]?.trim();
  if (value === undefined || value === '') return { url: fallback, fromEnv: false };
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new StackError('invalid-config', `${variable} is not a URL: ${redactUrl(value)}`);
  }
  if (!(schemes as readonly string[]).includes(parsed.protocol)) {
    throw new StackError('invalid-config', `${variable} must start with ${schemes.map((s) => `${s}//`).join(' or ')}, got ${redactUrl(value)}`);
  }
  if (parsed.hostname === '') throw new StackError('invalid-config', `${variable} names no host: ${redactUrl(value)}`);
  return { url: value, fromEnv: true };
}

/** The TCP port a service URL points at (the scheme's default when it names none). */
export function portOf(service: ServiceName, url: string): number {
  const port = new URL(url).port;
  return port === '' ? SCHEMES[service].defaultPort : Number(port);
}

/** The same URL on another port: a local server we started may not get the port asked for. */
export function withPort(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.port = String(port);
  return parsed.toString();
}

/** True when the URL's host is this machine, so starting a local server can stand in for it. */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Safe to print: a password, if any, is masked. */
export function redactUrl(url: string): string {
  return redactDatabaseUrl(url);
}
