/// <reference types="jest" />
import { Client } from 'pg';
import { startTcpProxy } from './tcp-proxy';

// The machine's PostgreSQL through the proxy: the outage a test makes of it is real to its clients.
const DATABASE_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function connected(url: string, connectionTimeoutMillis = 0): Promise<Client> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

describe('TCP proxy', () => {
  it('passes a connection through, resets it and every new one when cut, leaves new ones unanswered when stalled, and passes them again once restored', async () => {
    const proxy = await startTcpProxy(DATABASE_URL);
    const { url } = proxy;
    expect(new URL(url).port).toBe(String(proxy.port));
    const before = await connected(url);
    try {
      expect((await before.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);

      proxy.cut();
      await expect(before.query('SELECT 1')).rejects.toThrow();
      await expect(connected(url)).rejects.toThrow(/ECONNRESET|Connection terminated/);

      proxy.stall();
      await expect(connected(url, 300)).rejects.toThrow(/timeout/);

      proxy.restore();
      const after = await connected(url);
      expect((await after.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await after.end();
    } finally {
      await before.end().catch(() => undefined);
      await proxy.close();
    }
  });
});
