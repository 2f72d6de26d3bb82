import type { Reply } from '@mxs/test-kit';
import { call } from '@mxs/test-kit';

/** Where requests go: the stack's API processes. */
export interface ApiTargets {
  readonly apiUrls: readonly string[];
  readonly adminKey: string;
}

export interface CallOptions {
  readonly key: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

const NETWORK_RETRIES = 5;
const RETRY_STATUSES = new Set([502, 503, 504]);

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The replay's HTTP client: requests spread round robin over the APIs, at most `concurrency` at
 * once, counted per API. A request whose answer was lost (connection reset, 502-504) is sent again
 * to the next API: every call the replay makes is safe to repeat (POSTs carry an Idempotency-Key).
 */
export class StackClient {
  private next = 0;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** Answers per API url. */
  readonly answeredBy = new Map<string, number>();
  answered = 0;

  constructor(
    private readonly targets: ApiTargets,
    private readonly concurrency: number,
  ) {
    for (const url of targets.apiUrls) this.answeredBy.set(url, 0);
  }

  async call(method: string, path: string, options: CallOptions): Promise<Reply> {
    await this.acquire();
    try {
      for (let attempt = 0; ; attempt++) {
        const url = this.targets.apiUrls[this.next++ % this.targets.apiUrls.length] as string;
        try {
          const reply = await call(url, method, path, { key: options.key, ...(options.body === undefined ? {} : { body: options.body }), ...(options.headers === undefined ? {} : { headers: options.headers }) });
          if (RETRY_STATUSES.has(reply.status) && attempt < NETWORK_RETRIES) {
            await sleep(50 * 2 ** attempt);
            continue;
          }
          this.answeredBy.set(url, (this.answeredBy.get(url) ?? 0) + 1);
          this.answered++;
          return reply;
        } catch (error) {
          if (attempt >= NETWORK_RETRIES) throw new Error(`${method} ${path} on ${url}: ${(error as Error).message}`);
          await sleep(50 * 2 ** attempt);
        }
      }
    } finally {
      this.release();
    }
  }

  admin(method: string, path: string, body?: unknown): Promise<Reply> {
    return this.call(method, path, { key: this.targets.adminKey, ...(body === undefined ? {} : { body }) });
  }

  private async acquire(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next === undefined) this.running--;
    else next();
  }
}

/** The problem's reason (the engine's rejection code) or, failing that, its slug. */
export function problemReason(reply: Reply): string {
  const body = (reply.body ?? {}) as { reason?: unknown; type?: unknown };
  if (typeof body.reason === 'string') return body.reason;
  if (typeof body.type === 'string') return body.type.slice(body.type.lastIndexOf('/') + 1);
  return `http-${reply.status}`;
}

export function slugOf(reply: Reply): string | null {
  const type = (reply.body as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type.slice(type.lastIndexOf('/') + 1) : null;
}
