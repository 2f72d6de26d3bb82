/// <reference types="jest" />
import { freePort, startChild, startRedisServer, waitFor } from '@mxs/test-kit';
import { once } from 'node:events';
import path from 'node:path';

const workspaceRoot = path.resolve(__dirname, '../../..');

describe.each(['producer', 'worker'])('a %s connection', (kind) => {
  it('closed while Redis is away, leaves nothing holding its process open', async () => {
    const redis = await startRedisServer(await freePort());
    const child = startChild(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, '__fixtures__/close-while-away.ts'), kind, redis.url], {
      ...process.env,
      SWC_NODE_PROJECT: path.join(workspaceRoot, 'tsconfig.base.json'),
    });
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
