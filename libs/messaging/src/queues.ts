import type { JobsOptions } from 'bullmq';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { QueueName } from '@mxs/contracts';
import { QUEUES } from '@mxs/contracts';

/** What each queue's jobs get by default; the consumers own the retry policy's meaning. */
export const JOB_DEFAULTS: Readonly<Record<QueueName, JobsOptions>> = {
  [QUEUES.hotplug]: { attempts: 8, backoff: { type: 'exponential', delay: 2_000 }, removeOnComplete: { age: 86_400 }, removeOnFail: { age: 7 * 86_400 } },
  [QUEUES.placementRequests]: { attempts: 3, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: { age: 86_400 }, removeOnFail: { age: 7 * 86_400 } },
  [QUEUES.usageEvents]: { attempts: 20, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: { age: 86_400 } },
  [QUEUES.expansionEvents]: { removeOnComplete: { age: 86_400 }, removeOnFail: { age: 86_400 } },
  [QUEUES.maintenance]: { removeOnComplete: { count: 100 }, removeOnFail: { count: 1_000 } },
  [QUEUES.billing]: { removeOnComplete: { count: 100 }, removeOnFail: { count: 1_000 } },
};

/**
 * How long disconnect() waits for the socket to close before destroying it (ioredis's default
 * is 2 s). A connection closed while Redis is away has no socket left to close, and that wait
 * held a stopping process open for the whole time.
 */
const DISCONNECT_TIMEOUT_MS = 200;

/**
 * A producer connection fails at once while Redis is away (no offline queue), so callers
 * (the outbox relay) notice and retry later instead of piling commands up in memory.
 */
export function producerConnection(redisUrl: string, name: string): Redis {
  return new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: name, lazyConnect: false, disconnectTimeout: DISCONNECT_TIMEOUT_MS });
}

/** Workers block on Redis; BullMQ wants them to retry for ever. */
export function workerConnection(redisUrl: string, name: string): Redis {
  return new Redis(redisUrl, { maxRetriesPerRequest: null, connectionName: name, disconnectTimeout: DISCONNECT_TIMEOUT_MS });
}

/** The BullMQ queues a process produces to, on one shared producer connection. */
export class QueueSet {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    private readonly connection: Redis,
    readonly prefix: string,
  ) {}

  get(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (queue === undefined) {
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix, defaultJobOptions: JOB_DEFAULTS[name] });
      // Errors surface on each add; an unhandled 'error' event would crash the process.
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  async close(): Promise<void> {
    for (const queue of this.queues.values()) await closeWhenStarted(queue);
    this.queues.clear();
  }
}

/** What `closeWhenStarted` closes: a BullMQ Queue, Worker or QueueEvents. */
export interface StartingCloseable {
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * Closes a BullMQ queue or worker once its connection has finished starting (or after
 * `startMs`, when Redis is away). One closed while its connection still starts makes that
 * connection report "Connection is closed" after close has removed every listener: an
 * unhandled 'error' event that ends the process (bullmq #2437; seen when an app stopped right
 * after it started).
 */
export async function closeWhenStarted(target: StartingCloseable, startMs = 2_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, startMs);
  });
  await Promise.race([target.waitUntilReady().catch(() => undefined), waited]);
  clearTimeout(timer);
  await target.close();
}

export function isQueueName(name: string): name is QueueName {
  return (Object.values(QUEUES) as string[]).includes(name);
}
