import type { AddressInfo, Server, Socket } from 'node:net';
import { connect, createServer } from 'node:net';

/**
 * A TCP proxy in front of a real server, for outages a test can cut and restore without
 * stopping a server other tests share (the machine's PostgreSQL). Cut, it resets every client
 * connection through it and refuses new ones, as a server that went away; the server's side
 * is closed gently, so the server still finishes what it had been sent (a commit whose answer
 * the client never gets, as in a network partition). Restored, it takes connections on the
 * same port again.
 */
export interface TcpProxy {
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  through(url: string): string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { readonly host: string; readonly port: number }): Promise<TcpProxy> {
  const open = new Map<Socket, Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    open.set(client, upstream);
    client.once('close', () => open.delete(client));
    // Either side failing takes the other with it, as one connection would.
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    upstream.once('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stopListening = (): Promise<void> => new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
  const cut = async (): Promise<void> => {
    const closed = stopListening();
    for (const [client, upstream] of open) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.resetAndDestroy();
      // The server's answers have nowhere to go: drained and dropped, so its side closes.
      upstream.resume();
      upstream.end();
    }
    await closed;
  };
  await listen(0);
  const { port } = server.address() as AddressInfo;
  return {
    port,
    through: (url) => {
      const proxied = new URL(url);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(port);
      return proxied.toString();
    },
    cut,
    restore: () => listen(port),
    close: cut,
  };
}
