import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');

/** A port nothing listens on right now (the OS picks it; a race with another binder is unlikely). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Polls `probe` until it resolves true, or fails after `timeoutMs` (a probe that throws fails at once). */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A child process whose output is kept for failure messages. */
export interface Child {
  readonly process: ChildProcess;
  /** Everything it printed on stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function startChild(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(command, args, { cwd: WORKSPACE_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    output: () => chunks.join(''),
    stop: async (graceMs = 10_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * A TypeScript file of the workspace run from source in a process of its own, as the apps run:
 * `node -r @swc-node/register <script> <args>`, with this process's environment and `env` on top.
 * `nodeFlags` go before the script (a benchmark's `--cpu-prof`).
 */
export function startSourceChild(script: string, args: readonly string[], env: Record<string, string>, nodeFlags: readonly string[] = []): Child {
  return startChild(process.execPath, [...nodeFlags, '-r', '@swc-node/register', script, ...args], {
    ...process.env,
    SWC_NODE_PROJECT: 'tsconfig.base.json',
    ...env,
  });
}

export type AppName = 'placement-api' | 'hotplug-worker' | 'host-simulator' | 'billing';

export interface AppProcess extends Child {
  readonly url: string;
  readonly port: number;
}

/** What spawnApi resolves to. */
export type ApiProcess = AppProcess;

/**
 * An app as production runs it, from source in a process of its own (startSourceChild), on a
 * free port given in `portVariable`; resolves once its /health answers 200.
 */
export function spawnApp(app: AppName, env: Record<string, string>, portVariable = 'PORT', nodeFlags: readonly string[] = []): Promise<AppProcess> {
  return spawnSource(app, `apps/${app}/src/main.ts`, [], env, portVariable, nodeFlags);
}

/**
 * Any serving script of the workspace started as spawnApp starts an app (`name` is for messages):
 * a benchmark's baseline service, say. Resolves once its /health answers 200.
 */
export async function spawnSource(name: string, script: string, args: readonly string[], env: Record<string, string>, portVariable = 'PORT', nodeFlags: readonly string[] = []): Promise<AppProcess> {
  const port = await freePort();
  const child = startSourceChild(script, args, { ...env, [portVariable]: String(port) }, nodeFlags);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${name} on port ${port}`, async () => {
      if (child.process.exitCode !== null) throw new Error(`${name} exited with ${child.process.exitCode}:\n${child.output()}`);
      const health = await fetch(`${url}/health`).catch(() => null);
      return health?.status === 200;
    });
  } catch (error) {
    await child.stop();
    throw new Error(`${(error as Error).message}\n${child.output()}`);
  }
  return { ...child, url, port };
}

/** The placement API in a process of its own (see spawnApp). */
export function spawnApi(env: Record<string, string>): Promise<AppProcess> {
  return spawnApp('placement-api', env);
}

export interface RedisServer extends Child {
  readonly port: number;
  readonly url: string;
}

/** A private redis-server on `port` (memory only unless given a directory); resolves once it is ready. */
export async function startRedisServer(port: number, options: { appendOnlyDir?: string } = {}): Promise<RedisServer> {
  // With a directory, every write is fsynced to an append-only file there, so a restart keeps the queues.
  const persistence = options.appendOnlyDir === undefined ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', options.appendOnlyDir];
  const child = startChild('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence], process.env);
  const url = `redis://127.0.0.1:${port}`;
  await waitFor(`redis-server on port ${port}`, async () => {
    if (child.process.exitCode !== null) throw new Error(`redis-server exited:\n${child.output()}`);
    return child.output().includes('Ready to accept connections');
  }, 20_000, 20);
  return { ...child, port, url };
}
