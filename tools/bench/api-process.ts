import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** The placement API in a child process of its own, as it runs in production. */
export interface ApiProcess {
  readonly url: string;
  readonly pid: number;
  /** What the API printed (the last 200 lines), for a failure report. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface ApiProcessOptions {
  readonly env: Readonly<Record<string, string>>;
  /** Extra `node` flags, e.g. `--cpu-prof`. */
  readonly nodeFlags?: readonly string[];
  readonly startTimeoutMs?: number;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port from the OS');
  return address.port;
}

export async function startApiProcess(options: ApiProcessOptions): Promise<ApiProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), '-r', '@swc-node/register', 'apps/placement-api/src/main.ts'], {
    env: { ...process.env, SWC_NODE_PROJECT: 'tsconfig.base.json', ...options.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter((l) => l.length > 0));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = once(child, 'exit');
  const url = `http://127.0.0.1:${port}`;
  const api: ApiProcess = {
    url,
    pid: child.pid ?? 0,
    output: () => lines.join('\n'),
    stop: (graceMs = 10_000) => stop(child, exited, graceMs),
  };
  try {
    await waitForHealth(url, child, options.startTimeoutMs ?? 60_000);
  } catch (error) {
    await api.stop(2_000);
    throw new Error(`${(error as Error).message}\n--- placement-api output ---\n${api.output()}`);
  }
  return api;
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`placement-api exited (${child.exitCode ?? child.signalCode}) before it was healthy`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `GET /health answered ${res.status}: ${await res.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`placement-api was not healthy within ${timeoutMs} ms (${last})`);
}

async function stop(child: ChildProcess, exited: Promise<unknown>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** JSON over HTTP for the setup calls; anything but the expected status is an error. */
export async function callJson<T>(url: string, init: { method: string; token: string; body?: unknown; expect: readonly number[] }): Promise<T> {
  const res = await fetch(url, {
    method: init.method,
    headers: { authorization: `Bearer ${init.token}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  if (!init.expect.includes(res.status)) throw new Error(`${init.method} ${url} answered ${res.status}: ${text.slice(0, 500)}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** Runs `work` over `items` with at most `concurrency` at a time. */
export async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await work(items[next++] as T);
  });
  await Promise.all(lanes);
}
