/// <reference types="jest" />
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpHostAgent } from './http-host-agent';
import { HostAgentError } from './host-agent';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A tiny real server whose answer each test chooses. */
async function serve(handler: Handler): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const problem = (status: number, body: object | string, type = 'application/problem+json'): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': type });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

async function failure(handler: Handler, call: (agent: HttpHostAgent) => Promise<unknown>, timeoutMs = 2_000): Promise<HostAgentError> {
  const { url, server } = await serve(handler);
  const agent = new HttpHostAgent({ baseUrl: url, token: 't', timeoutMs });
  try {
    await call(agent);
  } catch (error) {
    if (error instanceof HostAgentError) return error;
    throw error;
  } finally {
    agent.close();
    server.closeAllConnections();
    server.close();
  }
  throw new Error('expected a HostAgentError');
}

const host = (agent: HttpHostAgent) => agent.hostState('host-1');
const req = { expansionId: 'exp-1', hostId: 'host-1' };

describe('HttpHostAgent error mapping', () => {
  it('takes the problem\'s code when it is a host-agent code, with its transient flag', async () => {
    const busy = await failure(problem(409, { code: 'ebusy', detail: 'pinned pages' }), (a) => a.offlineRegion(req));
    expect(busy).toMatchObject({ code: 'ebusy', transient: true, message: 'pinned pages' });
    const down = await failure(problem(503, { code: 'host-down', detail: 'down' }), host);
    expect(down).toMatchObject({ code: 'host-down', transient: true });
    const failed = await failure(problem(409, { code: 'device-failed' }), (a) => a.deviceHealth('d'));
    expect(failed).toMatchObject({ code: 'device-failed', transient: false });
  });

  it('falls back on the status for problems without a known code', async () => {
    expect((await failure(problem(401, { title: 'Unauthorized' }), host)).code).toBe('unauthorized');
    expect((await failure(problem(404, { code: 'something-new' }), host)).code).toBe('not-found');
    expect((await failure(problem(400, { type: 'validation-failed' }), host)).code).toBe('bad-request');
    expect((await failure(problem(409, {}), host)).code).toBe('conflict');
    expect((await failure(problem(429, {}), host)).code).toBe('busy');
    expect((await failure(problem(502, '<html>bad gateway</html>', 'text/html'), host)).code).toBe('unreachable');
  });

  it('turns refused connections, timeouts and unparseable answers into unreachable', async () => {
    const refused = new HttpHostAgent({ baseUrl: 'http://127.0.0.1:1', token: 't' });
    await expect(refused.hostState('h')).rejects.toMatchObject({ code: 'unreachable', transient: true });
    refused.close();
    const silent = await failure(() => undefined, host, 100);
    expect(silent.code).toBe('unreachable');
    expect((await failure(problem(200, 'not json', 'application/json'), host)).code).toBe('unreachable');
    expect((await failure(problem(200, { hostId: 1 }, 'application/json'), host)).code).toBe('unreachable');
  });

  it('sends the token, the long-poll wait and the body, and parses a progress answer', async () => {
    let seen: { url?: string; auth?: string; body?: string } = {};
    const { url, server } = await serve((request, res) => {
      let body = '';
      request.on('data', (c: Buffer) => (body += c.toString()));
      request.on('end', () => {
        seen = { url: request.url, auth: request.headers.authorization, body };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ done: false, detail: 'onlining', onlineBlocks: 1, totalBlocks: 8 }));
      });
    });
    const agent = new HttpHostAgent({ baseUrl: url, token: 'secret-token' });
    expect(await agent.onlineRegion({ ...req, sizeGiB: 1 }, { waitMs: 250 })).toEqual({ done: false, detail: 'onlining', onlineBlocks: 1, totalBlocks: 8 });
    expect(seen).toEqual({ url: '/hosts/host-1/regions/exp-1/online?waitMs=250', auth: 'Bearer secret-token', body: '{"sizeGiB":1}' });
    agent.close();
    server.close();
  });

  it('fails as unreachable when an answer stops halfway, after the call\'s timeout', async () => {
    const stalled = await failure((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"hostId":');
    }, host, 200);
    expect(stalled.code).toBe('unreachable');
    expect(stalled.message).toMatch(/^GET \/hosts\/host-1: no answer from 127\.0\.0\.1:\d+ within 200 ms$/);
  });

  it('close() cuts a call in flight, and a closed client fails every call as unreachable', async () => {
    const { url, server } = await serve(() => undefined);
    const agent = new HttpHostAgent({ baseUrl: url, token: 't' });
    const inFlight = agent.hostState('h');
    await new Promise((resolve) => server.once('request', resolve));
    agent.close();
    await expect(inFlight).rejects.toMatchObject({ code: 'unreachable' });
    await expect(agent.hostState('h')).rejects.toMatchObject({ code: 'unreachable' });
    server.closeAllConnections();
    server.close();
  });

  it('rejects with the abort reason when the caller aborts', async () => {
    const { url, server } = await serve(() => undefined);
    const agent = new HttpHostAgent({ baseUrl: url, token: 't' });
    const controller = new AbortController();
    const call = agent.hostState('h', { signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(call).rejects.toThrow('stop');
    agent.close();
    server.closeAllConnections();
    server.close();
  });
});
