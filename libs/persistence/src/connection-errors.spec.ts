/// <reference types="jest" />
import { Client } from 'pg';
import { QueryFailedError } from 'typeorm';
import { isConnectionError } from './pg-errors';
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
    for (const error of [duplicate, syntax, new QueryFailedError('INSERT …', [], duplicate as Error)]) expect(isConnectionError(error)).toBe(false);
    for (const value of [undefined, null, 'Connection terminated', 42, new Error('boom'), new AggregateError([], 'none')]) expect(isConnectionError(value)).toBe(false);
    expect(isConnectionError(new AggregateError([Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), duplicate], 'mixed'))).toBe(false);
  });
});
