/// <reference types="jest" />
import type { AddressInfo, Socket } from 'node:net';
import { createServer } from 'node:net';
import { Client } from 'pg';
import { QueryFailedError } from 'typeorm';
import { PG_ERRORS, isConnectionError } from './pg-errors';
import type { TestDatabase } from './testing/test-database';
import { createTestDatabase } from './testing/test-database';

// Real failures from a real server: each error is what node-postgres hands a caller.

let db: TestDatabase;
let admin: Client;

beforeAll(async () => {
  db = await createTestDatabase('connection_errors');
  admin = new Client({ connectionString: db.url });
  await admin.connect();
  await admin.query(`CREATE TABLE keys (id int PRIMARY KEY)`);
  await admin.query(`INSERT INTO keys VALUES (1)`);
});

afterAll(async () => {
  await admin?.end();
  await db?.drop();
});

/** What `work` rejected with; fails the test if it resolved. */
async function failure(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

/** A connected client whose server-side backend the admin connection has just terminated. */
async function clientWithTerminatedBackend(): Promise<Client> {
  const client = new Client({ connectionString: db.url });
  client.on('error', () => undefined);
  await client.connect();
  const [{ pid }] = (await client.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`)).rows as [{ pid: number }];
  await admin.query(`SELECT pg_terminate_backend($1)`, [pid]);
  return client;
}

describe('isConnectionError', () => {
  it('is true for a server nothing listens for, and for Node’s joined failures of every address it tried', async () => {
    const refused: unknown[] = [];
    for (const host of ['127.0.0.1', 'localhost']) {
      const url = new URL(db.url);
      url.hostname = host;
      url.port = '1';
      refused.push(await failure(() => new Client({ connectionString: url.toString() }).connect()));
    }
    for (const error of refused) expect(isConnectionError(error)).toBe(true);
    // What net.connect rejects with when a name resolves to several addresses and all refuse.
    expect(isConnectionError(new AggregateError(refused, 'all refused'))).toBe(true);
  });

  it('is true for a server that accepts and then never answers, once the connection gives up', async () => {
    const held = new Set<Socket>();
    const silent = createServer((socket) => void held.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = new URL(db.url);
      url.port = String((silent.address() as AddressInfo).port);
      const error = await failure(() => new Client({ connectionString: url.toString(), connectionTimeoutMillis: 200 }).connect());
      expect(isConnectionError(error)).toBe(true);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('is true for the server’s own codes for being away (by SQLSTATE, as a connect would meet them)', () => {
    const away = (code: string): Error => Object.assign(new Error(code), { code });
    for (const code of [PG_ERRORS.adminShutdown, PG_ERRORS.crashShutdown, PG_ERRORS.cannotConnectNow, PG_ERRORS.tooManyConnections, '08006', '08001']) {
      expect(isConnectionError(away(code))).toBe(true);
    }
  });

  it('is true for a statement on a connection the server terminated, and for TypeORM’s wrapping of it', async () => {
    const client = await clientWithTerminatedBackend();
    try {
      const error = await failure(() => client.query(`SELECT 1`));
      expect(isConnectionError(error)).toBe(true);
      expect(isConnectionError(new QueryFailedError('SELECT 1', [], error as Error))).toBe(true);
      // The client is unusable from then on, and says so.
      expect(isConnectionError(await failure(() => client.query(`SELECT 1`)))).toBe(true);
    } finally {
      await client.end().catch(() => undefined);
    }
  });

  it('is false for statements the server refused, however wrapped, and for anything else', async () => {
    const duplicate = await failure(() => admin.query(`INSERT INTO keys VALUES (1)`));
    const syntax = await failure(() => admin.query(`SELEKT 1`));
    // 08P01, in the connection-exception class, is a client's bug: a statement bound with too few parameters.
    const unbound = await failure(() => admin.query(`SELECT $1::int + $2::int`, [1]));
    expect((unbound as { code?: string }).code).toBe('08P01');
    for (const error of [duplicate, syntax, unbound, new QueryFailedError('INSERT …', [], duplicate as Error)]) expect(isConnectionError(error)).toBe(false);
    for (const value of [undefined, null, 'Connection terminated', 42, new Error('boom'), new AggregateError([], 'none')]) expect(isConnectionError(value)).toBe(false);
    expect(isConnectionError(new AggregateError([Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), duplicate], 'mixed'))).toBe(false);
  });
});
