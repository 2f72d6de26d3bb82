/// <reference types="jest" />
import { freePort, startRedisServer, startSourceChild, waitFor } from '@mxs/test-kit';
import { once } from 'node:events';

describe.each(['producer', 'worker'])('a %s connection', (kind) => {
  it('closed while Redis is away, leaves nothing holding its process open', async () => {
    const redis = await startRedisServer(await freePort());
    const child = startSourceChild('libs/messaging/src/__fixtures__/close-while-away.ts', [kind, redis.url], {});
    const exited = once(child.process, 'exit');
    try {
      await waitFor('the connection to be ready', async () => child.output().includes('ready'), 20_000, 20);
      await redis.stop();
      const [code] = (await exited) as [number | null];
      // Its socket was already gone: ioredis's wait for it to close (2 s by default) held it open.
      expect(child.output()).not.toContain('held');
      expect(code).toBe(0);
    } finally {
      await child.stop();
      await redis.stop();
    }
  });
});
