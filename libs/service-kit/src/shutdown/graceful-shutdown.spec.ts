/// <reference types="jest" />
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

const workspaceRoot = path.resolve(__dirname, '../../../..');

describe('enableGracefulShutdown', () => {
  it('on SIGTERM finishes the request in flight, then closes workers, queues and the database in order', async () => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, '../__fixtures__/shutdown-app.ts')], {
      cwd: workspaceRoot,
      env: { ...process.env, SWC_NODE_PROJECT: path.join(workspaceRoot, 'tsconfig.base.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const ready = new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          lines.push(line);
          const match = /^ready (\d+)$/.exec(line);
          if (match) resolve(Number(match[1]));
        }
      });
      child.once('exit', () => reject(new Error(`the app exited before it was ready:\n${stderr}`)));
    });
    const exited = once(child, 'exit');
    try {
      const port = await ready;
      const inFlight = fetch(`http://127.0.0.1:${port}/slow`);
      while (!lines.includes('request started')) await new Promise((resolve) => setTimeout(resolve, 10));
      child.kill('SIGTERM');

      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ done: true });
      const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
      expect(code === 0 || signal === 'SIGTERM').toBe(true);
      expect(lines.slice(1)).toEqual([
        'request started',
        'request finished',
        'closed worker',
        'closed queue',
        'closed database',
      ]);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
