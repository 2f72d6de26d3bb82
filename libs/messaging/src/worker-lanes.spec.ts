/// <reference types="jest" />
import { Queue } from 'bullmq';
import type { Worker } from 'bullmq';
import { dropQueueKeys } from '@mxs/test-kit';
import { randomBytes } from 'node:crypto';
import { closeWhenStarted, workerConnection } from './queues';
import { workerLanes } from './worker-lanes';

const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefix = `{mxs-test-${randomBytes(4).toString('hex')}}`;

afterAll(() => dropQueueKeys(REDIS_URL, prefix));

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('workerLanes', () => {
  it('splits the slots between the lanes, uneven ones first, and never makes more lanes than slots', async () => {
    const connection = workerConnection(REDIS_URL, 'lanes-split');
    const made = [10, 2].map((concurrency) => workerLanes('lanes-split', async () => undefined, { connection, prefix, concurrency, autorun: false }, 4));
    try {
      expect(made.map((lanes) => lanes.map((w) => w.concurrency))).toEqual([[3, 3, 2, 2], [1, 1]]);
    } finally {
      await Promise.all(made.flat().map((w) => closeWhenStarted(w)));
      connection.disconnect();
    }
  });

  it('runs as many jobs at once as the lanes have slots together, and no more', async () => {
    const connection = workerConnection(REDIS_URL, 'lanes-run');
    const queue = new Queue('lanes-run', { connection: { url: REDIS_URL }, prefix });
    const held: (() => void)[] = [];
    let running = 0;
    let most = 0;
    let done = 0;
    const lanes: Worker[] = workerLanes('lanes-run', async () => {
      running++;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => held.push(resolve));
      running--;
      done++;
    }, { connection, prefix, concurrency: 6 }, 3);
    try {
      await queue.addBulk(Array.from({ length: 9 }, (_, i) => ({ name: 'job', data: { i } })));
      await until('six jobs running', () => running === 6);
      // The seventh waits for a slot: none of the lanes takes more than its share.
      expect(await queue.getActiveCount()).toBe(6);
      expect(await queue.getWaitingCount()).toBe(3);
      held.splice(0).forEach((release) => release());
      await until('the other three', () => running === 3);
      held.splice(0).forEach((release) => release());
      await until('all nine', () => done === 9);
      expect(most).toBe(6);
    } finally {
      held.forEach((release) => release());
      await Promise.all(lanes.map((w) => closeWhenStarted(w)));
      await queue.close();
      connection.disconnect();
    }
  });
});
