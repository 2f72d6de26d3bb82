/// <reference types="jest" />
import { Queue, Worker } from 'bullmq';
import { dropQueueKeys } from '@mxs/test-kit';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { closeWhenStarted, workerConnection } from './queues';

const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefix = `{mxs-test-${randomBytes(4).toString('hex')}}`;

afterAll(() => dropQueueKeys(REDIS_URL, prefix));

describe('closeWhenStarted', () => {
  it('stops workers and queues closed the moment they were made, with no error left for nobody', async () => {
    const unhandled: unknown[] = [];
    const onError = (error: unknown): void => {
      unhandled.push(error);
    };
    process.on('uncaughtException', onError);
    process.on('unhandledRejection', onError);
    try {
      const connections: Redis[] = [];
      for (let i = 0; i < 10; i++) {
        const connection = workerConnection(REDIS_URL, `close-test-${i}`);
        connections.push(connection);
        const worker = new Worker('close-test', async () => undefined, { connection, prefix });
        worker.on('error', () => undefined);
        const queue = new Queue('close-test', { connection: { url: REDIS_URL }, prefix });
        queue.on('error', () => undefined);
        await closeWhenStarted(worker);
        await closeWhenStarted(queue);
        expect(worker.isRunning()).toBe(false);
        expect(worker.closing).not.toBeUndefined();
      }
      // Give any late connection error its chance to surface.
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (const connection of connections) connection.disconnect();
    } finally {
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
    }
    expect(unhandled).toEqual([]);
  });

  it('still closes when Redis is away (the wait ends in an error, not in ready)', async () => {
    // Nothing listens on port 1: the connection is refused. ioredis's disconnect() arms a timer
    // (disconnectTimeout, 2 s by default) that only the socket's next 'close' clears, and a
    // refused socket has closed already: left at 2 s it kept Jest from exiting after the run.
    const connection = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: null, lazyConnect: true, disconnectTimeout: 10 });
    connection.on('error', () => undefined);
    const waits: string[] = [];
    const target = {
      waitUntilReady: () => connection.connect().then(() => waits.push('ready')),
      close: async () => {
        waits.push('closed');
        connection.disconnect();
      },
    };
    await closeWhenStarted(target, 100);
    expect(waits).toEqual(['closed']);
  });
});
