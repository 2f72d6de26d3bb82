/// <reference types="jest" />
import type { RedisServer } from '@mxs/test-kit';
import { freePort, startRedisServer, waitFor } from '@mxs/test-kit';
import { Rng } from '@mxs/topology';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkerHandle } from './testing/stack';
import { TestStack } from './testing/stack';

const SEED = 20261121;
const ADDS = 70;
const REMOVES = 30;
/** Effects that must happen at most once per expansion and device, however often a saga re-runs. */
const ONCE = ['extents-offered', 'extents-accepted', 'region-onlined', 'vm-plugged', 'vm-unplugged', 'region-offlined', 'region-destroyed', 'extents-freed'];

let stack: TestStack;
let redis: RedisServer;
let redisDir: string;

beforeAll(async () => {
  // A Redis of this test's own, restarted mid-run; its append-only file keeps the queues across the restart.
  redisDir = mkdtempSync(join(tmpdir(), 'mxs-crash-redis-'));
  redis = await startRedisServer(await freePort(), { appendOnlyDir: redisDir });
  // Host steps take tens of milliseconds, so the kills land in the middle of sagas.
  stack = await TestStack.start('crash', { redisUrl: redis.url, vmHosts: 8, simEnv: { MXS_SIM_TIME_SCALE: '1' } });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await redis?.stop();
  rmSync(redisDir, { recursive: true, force: true });
});

it('SIGKILLed workers and a Redis restart during 100 operations: every expansion ends where the simulator says, nothing twice, nothing leaked', async () => {
  const rng = new Rng(SEED);
  let worker: WorkerHandle = await stack.spawnWorker();
  const ids: string[] = [];
  for (let i = 0; i < ADDS; i++) {
    const vmId = rng.pick(stack.tenant.vmIds);
    const reply = await stack.requestExpansion(vmId, { sizeGiB: rng.pick([1, 2, 4]), tier: 'any' });
    expect(reply.status).toBe(202);
    ids.push(reply.body.id as string);
  }
  const removed = new Set<string>();
  let kills = 0;
  let redisRestarted = false;
  const deadline = Date.now() + 240_000;
  for (;;) {
    // Remove expansions as they go active, until REMOVES have been asked for.
    const states = await stack.sql<{ id: string; state: string }>(`SELECT id, state FROM expansions WHERE id = ANY($1::uuid[])`, [ids]);
    for (const s of states) {
      if (removed.size < REMOVES && s.state === 'active' && rng.next() < 0.5) {
        expect((await stack.removeExpansion(s.id)).status).toBe(202);
        removed.add(s.id);
      }
    }
    if (states.every((s) => ['active', 'released', 'failed'].includes(s.state)) && removed.size >= REMOVES) break;
    if (Date.now() > deadline) throw new Error(`not settled: ${JSON.stringify(states.filter((s) => !['active', 'released', 'failed'].includes(s.state)))}\n${worker.logs().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, rng.int(200, 900)));
    if (kills < 6 && rng.next() < 0.5) {
      worker.kill?.();
      kills++;
      worker = await stack.spawnWorker();
    } else if (!redisRestarted && kills >= 2) {
      await redis.stop();
      redis = await startRedisServer(redis.port, { appendOnlyDir: redisDir });
      redisRestarted = true;
    }
  }
  expect(kills).toBeGreaterThanOrEqual(3);
  expect(redisRestarted).toBe(true);
  // The kills did land mid-saga: some operations had to be run again from their checkpoint.
  const [rerun] = await stack.sql<{ n: number }>(`SELECT count(*)::int AS n FROM operations o JOIN expansions e ON e.id = o.expansion_id WHERE o.attempts > 1 AND e.id = ANY($1::uuid[])`, [ids]);
  expect(rerun?.n).toBeGreaterThan(0);

  const rows = await stack.sql<{ id: string; state: string; host_id: string; vm_id: string; size_gib: number }>(
    `SELECT id, state, host_id, vm_id, size_gib FROM expansions WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  expect(rows.filter((r) => r.state === 'failed')).toEqual([]);
  for (const r of rows) expect([r.id, r.state]).toEqual([r.id, removed.has(r.id) ? 'released' : 'active']);

  // The simulator agrees: active ones are online and plugged in full, released ones are gone.
  for (const r of rows) {
    const host = await stack.sim.host(r.host_id);
    const region = host.regions.find((g) => g.expansionId === r.id);
    const share = host.vms.find((v) => v.vmId === r.vm_id)?.expansions[r.id];
    if (r.state === 'active') {
      expect([r.id, region?.state, share]).toEqual([r.id, 'online', r.size_gib]);
    } else {
      expect([r.id, region, share]).toEqual([r.id, undefined, undefined]);
    }
  }

  // No extent leaked or double-used: the fabric holds exactly the database's live extents.
  const live = await stack.sql<{ expansion_id: string; device_id: string; offset_gib: number; size_gib: number }>(
    `SELECT expansion_id, device_id, offset_gib, size_gib FROM expansion_extents WHERE live AND expansion_id = ANY($1::uuid[]) ORDER BY 1, 2, 3`,
    [ids],
  );
  const devices = [...new Set(stack.fleet.devices.map((d) => d.id))];
  const fabric: typeof live = [];
  for (const deviceId of devices) {
    for (const e of (await stack.sim.device(deviceId)).extents) {
      if (ids.includes(e.expansionId)) fabric.push({ expansion_id: e.expansionId, device_id: deviceId, offset_gib: e.offsetGiB, size_gib: e.sizeGiB });
    }
  }
  const key = (e: (typeof live)[number]): string => `${e.expansion_id}/${e.device_id}/${e.offset_gib}/${e.size_gib}`;
  expect(fabric.map(key).sort()).toEqual(live.map(key).sort());

  // No step ran twice.
  const { events } = await stack.sim.events({ limit: 100_000 });
  const counts = new Map<string, number>();
  for (const e of events) {
    if (e.expansionId === undefined || !ONCE.includes(e.kind)) continue;
    const k = `${e.expansionId} ${e.kind} ${e.deviceId ?? ''}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  expect([...counts].filter(([, n]) => n > 1)).toEqual([]);
  await waitFor('the last worker to stop', async () => (await worker.stop().then(() => true)), 30_000);
}, 400_000);
