import http from 'node:http';
import https from 'node:https';
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
 * A lean JSON-over-HTTP caller for the simulator and real agents: one keep-alive Agent, headers
 * built once, errors mapped to HostAgentError (connection failures and timeouts → `unreachable`).
 */
export class JsonHttp {
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;
  private readonly origin: URL;
  private readonly basePath: string;
  private readonly timeoutMs: number;
  private readonly headers: Readonly<Record<string, string>>;

  constructor(options: HttpClientOptions) {
    this.origin = new URL(options.baseUrl);
    const secure = this.origin.protocol === 'https:';
    if (!secure && this.origin.protocol !== 'http:') throw new Error(`host agent baseUrl must be http(s), got ${options.baseUrl}`);
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 256, scheduling: 'lifo' as const };
    this.agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.request = secure ? https.request : http.request;
    this.basePath = this.origin.pathname.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.headers = { authorization: `Bearer ${options.token}`, accept: 'application/json' };
  }

  /** Sends `body` (JSON) and parses a 2xx answer with `schema`; 204 resolves undefined. */
  call<S extends z.ZodType>(method: string, path: string, body: unknown, schema: S, options?: RequestOptions): Promise<z.output<S>>;
  call(method: string, path: string, body: unknown, schema: undefined, options?: RequestOptions): Promise<void>;
  call(method: string, path: string, body: unknown, schema: z.ZodType | undefined, options: RequestOptions = {}): Promise<unknown> {
    const waitMs = options.waitMs ?? 0;
    const fullPath = this.basePath + path + (waitMs > 0 ? `${path.includes('?') ? '&' : '?'}waitMs=${Math.round(waitMs)}` : '');
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const signal = options.signal;
      if (signal?.aborted) return reject(signal.reason);
      const req = this.request({
        protocol: this.origin.protocol,
        hostname: this.origin.hostname,
        port: this.origin.port,
        method,
        path: fullPath,
        agent: this.agent,
        headers:
          payload === undefined
            ? this.headers
            : { ...this.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        timeout: this.timeoutMs + waitMs,
        ...(signal === undefined ? {} : { signal }),
      });
      req.once('timeout', () => req.destroy(new HostAgentError('unreachable', `no answer from ${this.origin.host} within ${this.timeoutMs + waitMs} ms`)));
      req.once('error', (error: Error) => {
        if (signal?.aborted) return reject(signal.reason);
        reject(error instanceof HostAgentError ? error : new HostAgentError('unreachable', `${method} ${path}: ${error.message}`));
      });
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('error', (error) => reject(new HostAgentError('unreachable', `${method} ${path}: ${error.message}`)));
        res.once('end', () => {
          const status = res.statusCode ?? 0;
          const text = chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
          if (status < 200 || status > 299) return reject(errorFromProblem(status, text));
          if (schema === undefined || status === 204 || text.length === 0) return resolve(undefined);
          try {
            const parsed = schema.safeParse(JSON.parse(text));
            if (parsed.success) return resolve(parsed.data);
            reject(new HostAgentError('unreachable', `${method} ${path}: the answer does not match its schema: ${parsed.error.message}`));
          } catch (error) {
            reject(new HostAgentError('unreachable', `${method} ${path}: the answer is not JSON: ${String(error)}`));
          }
        });
      });
      req.end(payload);
    });
  }

  /** Closes idle keep-alive connections (tests, shutdown). */
  close(): void {
    this.agent.destroy();
  }
}
