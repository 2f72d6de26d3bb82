/// <reference types="jest" />
import type { Trace } from '@mxs/replay';
import { call } from '@mxs/test-kit';
import { generateFleetSpec } from '@mxs/topology';
import { Redis } from 'ioredis';
import { execFileSync } from 'node:child_process';
import { Client } from 'pg';
import { ReplayStack } from './stack';
import type { StackReplayResult } from './stack-replay';
import { replayOnStack } from './stack-replay';

const SEED = 11;
const FLEET = generateFleetSpec({ preset: 'small', seed: SEED, vmsPerHost: 0 });
const TRACE: Trace = {
  vms: [
    { vmId: 'vm-a', tenantId: 'acme', arrivalSec: 0, departureSec: 30, dramGiB: 64 },
    { vmId: 'vm-b', tenantId: 'acme', arrivalSec: 0, departureSec: null, dramGiB: 64 },
    { vmId: 'vm-c', tenantId: 'globex', arrivalSec: 5, departureSec: null, dramGiB: 128 },
  ],
  expansions: [
    { id: 'vm-a/1', vmId: 'vm-a', atSec: 1, sizeGiB: 16, tier: 'any', releaseSec: 20 },
    { id: 'vm-b/1', vmId: 'vm-b', atSec: 2, sizeGiB: 32, tier: 'pooled', releaseSec: null },
    { id: 'vm-c/1', vmId: 'vm-c', atSec: 6, sizeGiB: 64, tier: 'direct', releaseSec: 25 },
    { id: 'vm-c/2', vmId: 'vm-c', atSec: 7, sizeGiB: 8, tier: 'any', releaseSec: null },
  ],
};

/** The processes this test process started and that still run (but the `ps` that lists them). */
function children(): string[] {
  try {
    const lines = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' }).split('\n');
    return lines.map((l) => l.trim()).filter((l) => l !== '' && !/^\d+ ps$/.test(l));
  } catch {
    return []; // ps exits 1 when there are none
  }
}

async function databaseExists(dbUrl: string): Promise<boolean> {
  const name = new URL(dbUrl).pathname.slice(1);
  const client = new Client({ connectionString: dbUrl.replace(/\/[^/]*$/, '/postgres') });
  await client.connect();
  try {
    return (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  } finally {
    await client.end();
  }
}

function replaySummary(r: StackReplayResult): Record<string, number> {
  return { requests: r.requests, accepted: r.accepted, rejected: r.rejected, arrived: r.vms.arrived, placed: r.vms.placed, ready: r.timeToReadySec?.count ?? 0 };
}

let stack: ReplayStack;
let startFailure: unknown;
let childrenAfterFailure: string[];

beforeAll(async () => {
  // A fleet the API refuses: the start fails after the simulator and the API are up, and must stop them.
  const broken = { ...FLEET, hosts: FLEET.hosts.map((h) => ({ ...h, rackId: 'no-such-rack' })) };
  startFailure = await ReplayStack.start({ fleet: broken, privateRedis: true, label: 'broken' }).then((s) => s.stop(), (error: unknown) => error);
  childrenAfterFailure = children();
  stack = await ReplayStack.start({ fleet: FLEET, billing: true, privateRedis: true, seed: SEED, label: 'lifecycle' });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

it('a stack that cannot start says why, and stops what it had started', () => {
  expect(startFailure).toMatchObject({ name: 'ReplayStackError', code: 'stack-start-failed' });
  expect((startFailure as Error).message).toContain('PUT /admin/v1/fleet answered 400');
  expect(childrenAfterFailure).toEqual([]);
});

it('names its database and queue prefix for replays, with a hash tag, and answers on every URL it lists', async () => {
  expect(new URL(stack.dbUrl).pathname).toMatch(/^\/mxs_replay_[0-9a-f]{8}$/);
  expect(stack.queuePrefix).toMatch(/^\{mxs-replay-[0-9a-f]{8}\}$/);
  for (const url of [...stack.apiUrls, stack.simulatorUrl, stack.billingUrl ?? 'missing']) expect((await fetch(`${url}/health`)).status).toBe(200);
  expect(stack.apiUrl(0)).toBe(stack.apiUrls[0]);
  expect(stack.apiUrl(7)).toBe(stack.apiUrls[0]);
  expect(await stack.sql<{ n: number }>('SELECT count(*)::int AS n FROM hosts')).toEqual([{ n: FLEET.hosts.length }]);
  expect((await stack.sim.fleet()).hosts).toHaveLength(FLEET.hosts.length);
});

it('creates a tenant once and keeps its key', async () => {
  const key = await stack.tenantKey('initech');
  expect(await stack.tenantKey('initech')).toBe(key);
  expect((await call(stack.apiUrl(0), 'GET', '/v1/vms', { key })).status).toBe(200);
});

it('replays after a worker crash and a Redis restart: the new worker and the kept queues carry the sagas', async () => {
  const firstPid = stack.workerPid(0);
  stack.killWorker(0);
  await new Promise((resolve) => setTimeout(resolve, 200));
  await stack.restartWorker(0);
  expect(stack.workerPid(0)).not.toBe(firstPid);
  expect(stack.workerCount()).toBe(1);

  const redis = new Redis(stack.redisUrl, { maxRetriesPerRequest: null });
  await redis.set(`${stack.queuePrefix}:probe`, 'kept');
  await stack.restartRedis(100);
  expect(await redis.get(`${stack.queuePrefix}:probe`)).toBe('kept');
  redis.disconnect();

  const result = await replayOnStack(stack, TRACE, { timeScale: 0.02, samples: 5 });
  expect(replaySummary(result)).toEqual({ requests: 4, accepted: 4, rejected: 0, arrived: 3, placed: 3, ready: 4 });
  const states = await stack.sql<{ state: string; n: number }>(`SELECT state, count(*)::int AS n FROM expansions GROUP BY state ORDER BY state`);
  expect(states).toEqual([{ state: 'active', n: 2 }, { state: 'released', n: 2 }]);
  expect(await stack.sql('SELECT id FROM vms WHERE unregistered_at IS NOT NULL')).toEqual([{ id: 'vm-a' }]);
  expect(stack.workerOutput(0)).toContain('hot-add done');
  expect(stack.logs()).toContain('hotplug-worker 0:');
}, 90_000);

it('stops sending events once its signal is aborted, and reports what it had sent', async () => {
  const result = await replayOnStack(stack, TRACE, { timeScale: 0, signal: AbortSignal.abort() });
  expect(result).toMatchObject({ aborted: true, requests: 0, accepted: 0, vms: { arrived: 0, placed: 0, unplaced: 0 } });
  expect(result.series.map((p) => p.atSec)).toEqual([0]);
});

it('stops everything and leaves nothing behind: no process, no database', async () => {
  const dbUrl = stack.dbUrl;
  await stack.stop();
  await stack.stop(); // a second stop is the same stop
  expect(children()).toEqual([]);
  expect(await databaseExists(dbUrl)).toBe(false);
});
