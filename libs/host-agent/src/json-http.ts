import type { Dispatcher } from 'undici';
import { Pool } from 'undici';
import type { z } from 'zod';
import type { HostAgentErrorCode } from './host-agent';
import { HOST_AGENT_ERROR_CODES, HostAgentError } from './host-agent';

export interface HttpClientOptions {
  /** e.g. `http://127.0.0.1:4100`; a path prefix is kept. */
  readonly baseUrl: string;
  /** Shared secret, sent as `Authorization: Bearer <token>`. */
  readonly token: string;
  /** Per call, on top of any long-poll `waitMs` (default 10 s). */
  readonly timeoutMs?: number;
  /** Concurrent connections kept open (default 256). */
  readonly maxSockets?: number;
}

export interface RequestOptions {
  readonly waitMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** Maps a problem's status to a code when it carries no `code` member (the kit's own problems). */
function codeForStatus(status: number): HostAgentErrorCode {
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'busy';
  if (status >= 400 && status < 500) return 'bad-request';
  return 'unreachable';
}

/** The error a non-2xx answer means: the problem's `code` when it is one of ours, else by status. */
export function errorFromProblem(status: number, body: string): HostAgentError {
  let problem: { code?: unknown; detail?: unknown; title?: unknown } = {};
  try {
    problem = JSON.parse(body) as typeof problem;
  } catch {
    // A proxy's HTML page or an empty body: the status decides.
  }
  const code =
    typeof problem.code === 'string' && Object.hasOwn(HOST_AGENT_ERROR_CODES, problem.code)
      ? (problem.code as HostAgentErrorCode)
      : codeForStatus(status);
  const text = typeof problem.detail === 'string' ? problem.detail : typeof problem.title === 'string' ? problem.title : `HTTP ${status}`;
  return new HostAgentError(code, text);
}

/**
 * A lean JSON-over-HTTP caller for the simulator and real agents: a keep-alive undici Pool of
 * its own, headers built once, errors mapped to HostAgentError (connection failures and
 * timeouts → `unreachable`). undici rather than node:http: a saga makes four calls, and through
 * a Pool a call cost less CPU on both ends: 0.043–0.059 ms for this class against 0.048–0.076,
 * and 0.024–0.029 ms for the server against 0.028–0.040 (20,000 calls, 64 at a time, to a
 * trivial server in a process of its own).
 */
export class JsonHttp {
  private readonly pool: Pool;
  private readonly origin: URL;
  private readonly basePath: string;
  private readonly timeoutMs: number;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly jsonHeaders: Readonly<Record<string, string>>;

  constructor(options: HttpClientOptions) {
    this.origin = new URL(options.baseUrl);
    if (this.origin.protocol !== 'https:' && this.origin.protocol !== 'http:') throw new Error(`host agent baseUrl must be http(s), got ${options.baseUrl}`);
    this.pool = new Pool(this.origin.origin, { connections: options.maxSockets ?? 256 });
    this.basePath = this.origin.pathname.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.headers = { authorization: `Bearer ${options.token}`, accept: 'application/json' };
    this.jsonHeaders = { ...this.headers, 'content-type': 'application/json' };
  }

  /** Sends `body` (JSON) and parses a 2xx answer with `schema`; 204 resolves undefined. */
  call<S extends z.ZodType>(method: string, path: string, body: unknown, schema: S, options?: RequestOptions): Promise<z.output<S>>;
  call(method: string, path: string, body: unknown, schema: undefined, options?: RequestOptions): Promise<void>;
  async call(method: string, path: string, body: unknown, schema: z.ZodType | undefined, options: RequestOptions = {}): Promise<unknown> {
    const waitMs = options.waitMs ?? 0;
    const fullPath = this.basePath + path + (waitMs > 0 ? `${path.includes('?') ? '&' : '?'}waitMs=${Math.round(waitMs)}` : '');
    const signal = options.signal;
    if (signal?.aborted) throw signal.reason;
    // One timer for the whole call (connecting, the answer's head and its body): undici's own
    // timeouts run on coarse timers, and a 100 ms one fired after about a second.
    const timeout = this.timeoutMs + waitMs;
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), timeout);
    const onAbort = (): void => stop.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let status: number;
    let text: string;
    try {
      const answer = await this.pool.request({
        method: method as Dispatcher.HttpMethod,
        path: fullPath,
        headers: body === undefined ? this.headers : this.jsonHeaders,
        body: body === undefined ? null : JSON.stringify(body),
        headersTimeout: 0,
        bodyTimeout: 0,
        signal: stop.signal,
      });
      status = answer.statusCode;
      text = await answer.body.text();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const why = stop.signal.aborted ? `no answer from ${this.origin.host} within ${timeout} ms` : describe(error);
      throw new HostAgentError('unreachable', `${method} ${path}: ${why}`);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    if (status < 200 || status > 299) throw errorFromProblem(status, text);
    if (schema === undefined || status === 204 || text.length === 0) return undefined;
    let parsed: ReturnType<z.ZodType['safeParse']>;
    try {
      parsed = schema.safeParse(JSON.parse(text));
    } catch (error) {
      throw new HostAgentError('unreachable', `${method} ${path}: the answer is not JSON: ${String(error)}`);
    }
    if (parsed.success) return parsed.data;
    throw new HostAgentError('unreachable', `${method} ${path}: the answer does not match its schema: ${parsed.error.message}`);
  }

  /**
   * Closes its connections (tests, shutdown). Calls still running are cut, as destroying node's
   * agent cut them, and fail as `unreachable`, as does every call after it: a closed client is done.
   */
  close(): void {
    this.pool.destroy().catch(() => undefined);
  }
}

/** A connection failure as the caller should read it: undici wraps the socket's error as its `cause`. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
