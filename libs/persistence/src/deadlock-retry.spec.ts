/// <reference types="jest" />
import { Client } from 'pg';
import { PG_ERRORS, pgErrorOf, retryOnDeadlock } from './pg-errors';
import type { TestDatabase } from './testing/test-database';
import { createTestDatabase } from './testing/test-database';

let db: TestDatabase;
let holder: Client;
let victim: Client;

beforeAll(async () => {
  db = await createTestDatabase('deadlock');
  holder = new Client({ connectionString: db.url });
  victim = new Client({ connectionString: db.url });
  await holder.connect();
  await victim.connect();
  await holder.query(`CREATE TABLE counters (id int PRIMARY KEY, value int NOT NULL)`);
  await holder.query(`INSERT INTO counters VALUES (1, 0), (2, 0)`);
  // The waiting session checks for deadlocks first, so it is the one PostgreSQL aborts.
  await victim.query(`SET deadlock_timeout = '50ms'`);
  await holder.query(`SET deadlock_timeout = '5s'`);
});

afterAll(async () => {
  await holder?.end();
  await victim?.end();
  await db?.drop();
});

// One statement that locks row 2, then row 1: the order the other session reverses.
const bothInReverse = (): Promise<unknown> =>
  victim.query(`WITH two AS (UPDATE counters SET value = value + 1 WHERE id = 2 RETURNING id) UPDATE counters SET value = value + 1 WHERE id = 1 AND EXISTS (SELECT 1 FROM two)`);

/** Holds row 1, lets the victim lock row 2 and wait, then asks for row 2: a real deadlock. */
async function deadlockAgainst(run: () => Promise<unknown>): Promise<PromiseSettledResult<unknown>> {
  await holder.query('BEGIN');
  await holder.query(`UPDATE counters SET value = value + 10 WHERE id = 1`);
  const outcome = run().then(
    (value) => ({ status: 'fulfilled', value }) as const,
    (reason: unknown) => ({ status: 'rejected', reason }) as const,
  );
  // The victim holds row 2 once its statement is waiting on row 1.
  for (let i = 0; i < 200; i++) {
    const waiting = await holder.query(`SELECT 1 FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND datname = current_database()`);
    if (waiting.rowCount === 1) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await holder.query(`UPDATE counters SET value = value + 10 WHERE id = 2`);
  await holder.query('COMMIT');
  return outcome;
}

async function values(): Promise<number[]> {
  return (await holder.query(`SELECT value FROM counters ORDER BY id`)).rows.map((r: { value: number }) => r.value);
}

describe('retryOnDeadlock', () => {
  it('a statement PostgreSQL aborts as the deadlock victim fails once, with 40P01', async () => {
    await holder.query(`UPDATE counters SET value = 0`);
    const outcome = await deadlockAgainst(bothInReverse);
    expect(outcome.status).toBe('rejected');
    expect(pgErrorOf((outcome as PromiseRejectedResult).reason)?.code).toBe(PG_ERRORS.deadlockDetected);
    // Rolled back whole: only the holder's writes are there.
    expect(await values()).toEqual([10, 10]);
  });

  it('runs the aborted statement again, so it lands once after the winner commits', async () => {
    await holder.query(`UPDATE counters SET value = 0`);
    let runs = 0;
    const outcome = await deadlockAgainst(() => retryOnDeadlock(() => {
      runs++;
      return bothInReverse();
    }));
    expect(outcome.status).toBe('fulfilled');
    expect(runs).toBe(2);
    expect(await values()).toEqual([11, 11]);
  });

  it('gives up after its attempts, and never retries other errors', async () => {
    let runs = 0;
    const deadlock = Object.assign(new Error('deadlock detected'), { code: PG_ERRORS.deadlockDetected });
    await expect(retryOnDeadlock(() => {
      runs++;
      return Promise.reject(deadlock);
    }, 3)).rejects.toBe(deadlock);
    expect(runs).toBe(3);
    runs = 0;
    await expect(retryOnDeadlock(() => {
      runs++;
      return victim.query(`SELECT 1/0`);
    })).rejects.toThrow('division by zero');
    expect(runs).toBe(1);
  });
});
