/// <reference types="jest" />
import { DataSource } from 'typeorm';
import type { ApiUnderTest } from './api-harness';
import type { Reply, SeededTenant } from '@mxs/test-kit';
import { call } from '@mxs/test-kit';

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance: string;
  readonly requestId: string;
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
  readonly [extra: string]: unknown;
}

/** Asserts an RFC 9457 answer with the given status and problem type slug, and returns it. */
export function expectProblem(reply: Reply, status: number, slug: string): Problem {
  expect({ status: reply.status, type: (reply.body as Problem | null)?.type }).toEqual({ status, type: `https://mxs.dev/problems/${slug}` });
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = reply.body as Problem;
  expect(problem).toMatchObject({ status, title: expect.any(String), instance: expect.stringMatching(/^\//), requestId: expect.any(String) });
  return problem;
}

/** The field paths of a validation problem, sorted. */
export function errorPaths(problem: Problem): string[] {
  return (problem.errors ?? []).map((e) => e.path).sort();
}

/** Raw SQL on the app's own pool: to look at rows, or to put one in a state no route reaches. */
export function sql<T = Record<string, unknown>>(api: ApiUnderTest, query: string, params: unknown[] = []): Promise<T[]> {
  return api.app.get(DataSource).query(query, params);
}

/** Polls until `check` returns a value other than undefined (queues and relays are asynchronous). */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface ExpansionBody {
  readonly sizeGiB: number;
  readonly tier: 'direct' | 'pooled' | 'any';
  readonly layout?: 'pack' | 'spread' | 'interleave';
  readonly interleaveWays?: number;
  readonly maxAddedLatencyNs?: number;
}

/** POST /v1/vms/{vmId}/expansions as the tenant, with the key given (or a fresh one). */
export function requestExpansion(
  api: ApiUnderTest,
  tenant: Pick<SeededTenant, 'key'>,
  vmId: string,
  body: ExpansionBody,
  options: { idempotencyKey?: string; requestId?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { 'idempotency-key': options.idempotencyKey ?? `k-${Math.random().toString(36).slice(2)}` };
  if (options.requestId !== undefined) headers['x-request-id'] = options.requestId;
  return call(api.url, 'POST', `/v1/vms/${vmId}/expansions`, { key: tenant.key, body, headers });
}

/** Like requestExpansion, but the test needs it placed: anything but 202 fails here. */
export async function placeExpansion(api: ApiUnderTest, tenant: Pick<SeededTenant, 'key'>, vmId: string, body: ExpansionBody): Promise<Reply> {
  const reply = await requestExpansion(api, tenant, vmId, body);
  if (reply.status !== 202) throw new Error(`expansion on ${vmId} not placed: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply;
}
