import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

/** Each job's `timestamp` (queued) and `processedOn` (last fetched), as BullMQ reads them back; nulls for a job it no longer has. */
export async function jobTimes(redisUrl: string, prefix: string, queueName: string, jobIds: readonly string[]): Promise<{ queuedAt: number | null; fetchedAt: number | null }[]> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const queue = new Queue(queueName, { connection, prefix });
  try {
    const jobs = await Promise.all(jobIds.map((id) => queue.getJob(id)));
    return jobs.map((job) => ({ queuedAt: job?.timestamp ?? null, fetchedAt: job?.processedOn ?? null }));
  } finally {
    await queue.close();
    connection.disconnect();
  }
}
