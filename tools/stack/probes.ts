import { Redis } from 'ioredis';
import { createServer } from 'node:net';
import { Client } from 'pg';
import type { ProbeResult } from './service-plan';

const PROBE_TIMEOUT_MS = 2_000;

// SQLSTATEs that mean "a server answered and would serve us": the database is just not created yet.
const PG_ANSWERS = new Set(['3D000']);

/** Whether PostgreSQL at `url` answers and lets us in (a missing database still counts: we create it). */
export async function probePostgres(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, application_name: 'mxs-start' });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { state: 'up' };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && PG_ANSWERS.has(code)) return { state: 'up' };
    // A five-character SQLSTATE comes from a server that answered (auth failed, too many clients…).
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return { state: 'refused', reason: messageOf(error) };
    return { state: 'down', reason: messageOf(error) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Whether Redis at `url` answers PING (after AUTH when the URL carries a password). */
export async function probeRedis(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // connect() rejects with a bare "Connection is closed."; the cause comes as an event.
  let cause: unknown = null;
  redis.on('error', (error: unknown) => {
    cause = error;
  });
  try {
    await redis.connect();
    await redis.ping();
    return { state: 'up' };
  } catch (error) {
    // A ReplyError is Redis itself answering (NOAUTH, WRONGPASS, a protected-mode DENIED…).
    if (error instanceof Error && error.name === 'ReplyError') return { state: 'refused', reason: error.message };
    return { state: 'down', reason: messageOf(cause ?? error) };
  } finally {
    redis.disconnect();
  }
}

/** True when nothing listens on 127.0.0.1:`port`. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port nothing listens on, chosen by the kernel. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** `preferred` when it is free, else any free port. */
export async function freePortNear(preferred: number): Promise<number> {
  return (await isPortFree(preferred)) ? preferred : findFreePort();
}

export function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return messageOf(error.errors[0]);
  if (error instanceof Error) return error.message === '' ? ((error as { code?: string }).code ?? error.name) : error.message;
  return String(error);
}
