import type { QueueName } from '@mxs/contracts';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';

/**
 * The test's own handle on the BullMQ queues of one environment (its queue prefix): to add jobs
 * as automation would, read what the app put there, and wipe them all at the end.
 */
export class TestQueues {
  private readonly connection: Redis;
  private readonly queues = new Map<QueueName, Queue>();
  private readonly events: QueueEvents[] = [];

  constructor(
    private readonly redisUrl: string,
    private readonly prefix: string,
  ) {
    this.connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  }

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (queue === undefined) {
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix });
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Events of a queue, ready to wait on (QueueEvents blocks, so it gets a connection of its own). */
  async queueEvents(name: QueueName): Promise<QueueEvents> {
    const url = new URL(this.redisUrl);
    const connection = { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null };
    const events = new QueueEvents(name, { connection, prefix: this.prefix });
    this.events.push(events);
    await events.waitUntilReady();
    return events;
  }

  /** Removes every job and key the test's queues hold, then closes the connections, one by one. */
  async close(): Promise<void> {
    for (const events of this.events) await events.close();
    for (const queue of this.queues.values()) {
      await queue.obliterate({ force: true });
      await queue.close();
    }
    await this.connection.quit();
  }
}
