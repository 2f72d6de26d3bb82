/// <reference types="jest" />
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeepAliveCaller } from './keep-alive-call';

/** A server that drops a kept-alive connection as its next request arrives, unless told not to. */
async function flakyServer(dropOn: (served: number) => boolean): Promise<{ url: string; sockets: Set<unknown>; close: () => Promise<void> }> {
  const sockets = new Set<unknown>();
  const served = new WeakMap<object, number>();
  const server = http.createServer((req, res) => {
    const n = served.get(req.socket) ?? 0;
    served.set(req.socket, n + 1);
    sockets.add(req.socket);
    if (dropOn(n)) {
      req.socket.destroy();
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ n }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, sockets, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('KeepAliveCaller', () => {
  it('sends a request again, once, on a fresh connection when the server closed the kept-alive one', async () => {
    const server = await flakyServer((served) => served === 1);
    const caller = new KeepAliveCaller(server.url, 1);
    try {
      expect(await caller.call('GET', '/a', { key: 'k' })).toEqual({ status: 200, body: { n: 0 } });
      // The same connection again: the server drops it, and the retry is the first on a new one.
      expect(await caller.call('GET', '/b', { key: 'k' })).toEqual({ status: 200, body: { n: 0 } });
      expect(server.sockets.size).toBe(2);
    } finally {
      caller.close();
      await server.close();
    }
  });

  it('retries on a new connection, not on another idle one that is as stale', async () => {
    const server = await flakyServer((served) => served === 1);
    const caller = new KeepAliveCaller(server.url, 2);
    try {
      // Two connections opened together, both now idle: the server drops each as its next request arrives.
      await Promise.all([caller.call('GET', '/a', { key: 'k' }), caller.call('GET', '/b', { key: 'k' })]);
      expect(server.sockets.size).toBe(2);
      expect(await caller.call('GET', '/c', { key: 'k' })).toEqual({ status: 200, body: { n: 0 } });
      expect(server.sockets.size).toBe(3);
    } finally {
      caller.close();
      await server.close();
    }
  });

  it('does not retry a request that failed on a connection of its own', async () => {
    const server = await flakyServer(() => true);
    const caller = new KeepAliveCaller(server.url, 1);
    try {
      await expect(caller.call('GET', '/a', { key: 'k' })).rejects.toThrow(/socket hang up/);
      expect(server.sockets.size).toBe(1);
    } finally {
      caller.close();
      await server.close();
    }
  });
});
