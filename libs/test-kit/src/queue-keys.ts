import { Redis } from 'ioredis';

/** Tests own their data: the queues a test file's apps created go with its database. */
export async function dropQueueKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    // Braces in the prefix are glob-literal, but `[`/`]`/`*`/`?` are not: escape what globbing treats specially.
    const pattern = `${prefix.replace(/[[\]*?\\]/g, '\\$&')}:*`;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
