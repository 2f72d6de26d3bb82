import http from 'node:http';

/**
 * `call` of @mxs/test-kit for a benchmark's driver: the same requests over kept-alive
 * connections with node:http rather than fetch, whose per-request cost in the driver's process
 * competes for the same two cores as the services it measures.
 */
export class KeepAliveCaller {
  private readonly agent: http.Agent;

  constructor(private readonly baseUrl: string, maxSockets: number) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  /**
   * A request that met a kept-alive connection the server had just closed (idle past its
   * keep-alive timeout) is sent again once, as node:http's documentation advises: the server
   * never read it, and the bench's POSTs carry an Idempotency-Key and its DELETEs are idempotent.
   * The retry goes on a connection of its own: the pool's other idle connections were opened
   * together in a burst and reach the server's timeout together, so the next one is as stale.
   */
  async call<T = Record<string, unknown>>(method: string, path: string, options: { key: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: T }> {
    try {
      return await this.once<T>(method, path, options, this.agent);
    } catch (error) {
      if (!(error instanceof StaleSocketError)) throw error;
      return this.once<T>(method, path, options, false);
    }
  }

  private once<T>(method: string, path: string, options: { key: string; body?: unknown; headers?: Record<string, string> }, agent: http.Agent | false): Promise<{ status: number; body: T }> {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string | number> = { ...options.headers, authorization: `Bearer ${options.key}` };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    return new Promise((resolve, reject) => {
      const req = http.request(new URL(path, this.baseUrl), { method, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('error', reject);
        res.once('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, body: (text.length === 0 ? null : JSON.parse(text)) as T });
          } catch (error) {
            reject(new Error(`${method} ${path}: ${res.statusCode ?? 0} and a body that is not JSON: ${String(error)}`));
          }
        });
      });
      req.once('error', (error: NodeJS.ErrnoException) => reject(req.reusedSocket && error.code === 'ECONNRESET' ? new StaleSocketError(error.message) : error));
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The kept-alive connection was closed by the server before the request reached it. */
class StaleSocketError extends Error {}
