/** A throwaway Redis for `npm start`: a child process, no persistence, stopped with the stack. */
import { withPort } from './endpoints';
import { freePortNear, probeRedis } from './probes';
import { describeExit, ManagedProcess } from './processes';
import { StackError } from './stack-error';

export interface StartedRedis {
  readonly url: string;
  readonly origin: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/** The arguments that make redis-server a memory-only server on loopback. */
export function redisServerArgs(port: number): string[] {
  return ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'];
}

export async function startRedis(serverPath: string, configuredUrl: string, cwd: string, log: (line: string) => void): Promise<StartedRedis> {
  const wanted = new URL(configuredUrl).port;
  const port = await freePortNear(wanted === '' ? 6379 : Number(wanted));
  const url = withPort(configuredUrl, port);
  log(`starting Redis (${serverPath}) on 127.0.0.1:${port}, without persistence`);
  const child = new ManagedProcess({ name: 'redis', command: serverPath, args: redisServerArgs(port), cwd, env: process.env });
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (!child.running) {
      throw new StackError('service-start-failed', `redis-server exited at start (${describeExit(child)}):\n${child.recentLines().join('\n')}`);
    }
    if ((await probeRedis(url, 500)).state === 'up') break;
    if (Date.now() > deadline) {
      await child.stop(2_000);
      throw new StackError('service-start-failed', `redis-server did not answer on port ${port} within 15 s:\n${child.recentLines().join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    origin: `redis-server on port ${port}, started here`,
    process: child,
    stop: async () => {
      await child.stop(10_000);
    },
  };
}
