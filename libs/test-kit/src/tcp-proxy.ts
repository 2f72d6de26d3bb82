import type { AddressInfo, Socket } from 'node:net';
import { connect, createServer } from 'node:net';

/**
 * A TCP proxy in front of a real server, for outages a test makes without stopping a server
 * other tests share (the machine's PostgreSQL). It keeps its port throughout, so nothing else
 * can take it meanwhile.
 *
 * - `cut()`: the server went away. Every client connection through it is reset, and so is
 *   every new one. The server's side is closed gently, so the server still finishes what it
 *   had been sent (a commit whose answer the client never gets, as in a network partition).
 * - `stall()`: the server went silent (a host powered off, packets dropped). New connections
 *   are accepted and then never answered; open ones are cut as above.
 * - `restore()`: connections pass again.
 */
export interface TcpProxy {
  readonly port: number;
  /** The server's URL with the proxy's host and port: what the client under test connects to. */
  readonly url: string;
  cut(): void;
  stall(): void;
  restore(): void;
  /** Stops listening, resets what is open, and resolves once the server's side has closed too. */
  close(): Promise<void>;
}

type Mode = 'open' | 'cut' | 'stalled';

/** A proxy in front of the server `serverUrl` names (its host, and its port or PostgreSQL's 5432). */
export async function startTcpProxy(serverUrl: string): Promise<TcpProxy> {
  const target = new URL(serverUrl);
  let mode: Mode = 'open';
  /** Each client connection and its connection to the server (null while stalled). */
  const open = new Map<Socket, Socket | null>();
  const serverSides = new Set<Promise<void>>();
  const server = createServer((client) => {
    client.on('error', () => undefined);
    if (mode === 'cut') return void client.resetAndDestroy();
    if (mode === 'stalled') {
      open.set(client, null);
      client.once('close', () => open.delete(client));
      return;
    }
    const upstream = connect(Number(target.port || 5432), target.hostname);
    const closed = new Promise<void>((resolve) => upstream.once('close', () => resolve()));
    serverSides.add(closed);
    void closed.then(() => serverSides.delete(closed));
    open.set(client, upstream);
    client.once('close', () => open.delete(client));
    // Either side failing takes the other with it, as one connection would.
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    upstream.once('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  const cutOpen = (): void => {
    for (const [client, upstream] of open) {
      if (upstream !== null) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        // The server's answers have nowhere to go: drained and dropped, so its side closes.
        upstream.resume();
        upstream.end();
      }
      client.resetAndDestroy();
    }
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = new URL(serverUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    port,
    url: url.toString(),
    cut: () => {
      mode = 'cut';
      cutOpen();
    },
    stall: () => {
      mode = 'stalled';
      cutOpen();
    },
    restore: () => {
      mode = 'open';
    },
    close: async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      mode = 'cut';
      cutOpen();
      await stopped;
      await Promise.all(serverSides);
    },
  };
}
