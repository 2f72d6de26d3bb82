/// <reference types="jest" />
import type { WorkerHandle } from './testing/stack';
import { TestStack } from './testing/stack';

// Short deadlines so giving up is quick; the step runner's back-off still retries several times.
const WORKER = { MXS_STEP_DEADLINE_MS: '1500' };

let stack: TestStack;
let worker: WorkerHandle;

beforeAll(async () => {
  stack = await TestStack.start('failure-paths', { vmHosts: 6 });
  worker = await stack.startWorker(WORKER);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

function vmOn(i: number): { vmId: string; hostId: string } {
  return { vmId: stack.tenant.vmIds[i] as string, hostId: stack.fleet.hosts[i]?.id as string };
}

async function activeExpansion(vmId: string, sizeGiB = 4): Promise<string> {
  const created = await stack.requestExpansion(vmId, { sizeGiB, tier: 'any' });
  expect(created.status).toBe(202);
  await stack.expansionReaches(created.body.id as string, ['active']);
  return created.body.id as string;
}

async function operation(expansionId: string, kind: string): Promise<{ state: string; last_error: string | null; checkpoint: { steps?: Record<string, { attempts: number; errors: string[] }> } }> {
  const [row] = await stack.sql<{ state: string; last_error: string | null; checkpoint: { steps?: Record<string, { attempts: number; errors: string[] }> } }>(
    `SELECT state, last_error, checkpoint FROM operations WHERE expansion_id = $1 AND kind = $2 ORDER BY created_at DESC LIMIT 1`,
    [expansionId, kind],
  );
  if (row === undefined) throw new Error(`no ${kind} operation for ${expansionId}`);
  return row;
}

async function liveGiB(expansionId: string): Promise<number> {
  const [row] = await stack.sql<{ gib: number }>(`SELECT coalesce(sum(size_gib) FILTER (WHERE live), 0)::int AS gib FROM expansion_extents WHERE expansion_id = $1`, [expansionId]);
  return row?.gib ?? -1;
}

describe('hot-remove', () => {
  it('retries EBUSY on pinned pages and then succeeds', async () => {
    const { vmId, hostId } = vmOn(0);
    const id = await activeExpansion(vmId);
    await stack.sim.injectFault({ kind: 'ebusy', hostId, count: 2 });
    await stack.removeExpansion(id);
    await stack.expansionReaches(id, ['released']);
    const op = await operation(id, 'hot-remove');
    expect(op.checkpoint.steps?.['host-offline']?.attempts).toBe(3);
    expect(op.checkpoint.steps?.['host-offline']?.errors.every((e) => e.startsWith('ebusy'))).toBe(true);
  });

  it('gives up on EBUSY past the deadline and leaves the memory attached and active', async () => {
    const { vmId, hostId } = vmOn(1);
    const id = await activeExpansion(vmId);
    const plugged = (await stack.sim.vm(hostId, vmId)).pluggedGiB;
    await stack.sim.injectFault({ kind: 'ebusy', hostId, count: 10_000 });
    await stack.removeExpansion(id);
    // DELETE answered `detaching`, so the next `active` is the hot-remove giving up.
    const back = await stack.expansionReaches(id, ['active']);
    expect(back.timeline.map((t) => t.to).slice(-2)).toEqual(['detaching', 'active']);
    expect(back.reason).toMatch(/hot-remove gave up .*host-offline/);
    expect((await operation(id, 'hot-remove')).state).toBe('failed');
    expect((await stack.sim.vm(hostId, vmId)).pluggedGiB).toBe(plugged);
    expect((await stack.sim.host(hostId)).regions.find((r) => r.expansionId === id)?.state).toBe('online');
    expect(await liveGiB(id)).toBe(4);
    await stack.sim.injectFault({ kind: 'ebusy', hostId, count: 0 });
  });

  it('retries an unplug that stopped short on unmovable pages', async () => {
    const { vmId, hostId } = vmOn(2);
    const id = await activeExpansion(vmId);
    await stack.sim.injectFault({ kind: 'unplug-stop-short', hostId, count: 1 });
    await stack.removeExpansion(id);
    await stack.expansionReaches(id, ['released']);
    const { events } = await stack.sim.events({ expansionId: id });
    expect(events.filter((e) => e.kind === 'vm-unplug-stopped-short')).toHaveLength(1);
    expect(events.filter((e) => e.kind === 'vm-unplugged')).toHaveLength(1);
  });
});

describe('hot-add', () => {
  it('fails for good when onlining finds no memory for the memory map: rolled back, capacity returned after the scrub', async () => {
    const { vmId, hostId } = vmOn(3);
    await stack.sim.injectFault({ kind: 'enomem', hostId, count: 1 });
    const created = await stack.requestExpansion(vmId, { sizeGiB: 4, tier: 'any' });
    const id = created.body.id as string;
    const failed = await stack.expansionReaches(id, ['failed']);
    expect(failed.reason).toMatch(/hot-add failed: host-online: .*/);
    expect(await liveGiB(id)).toBe(0);
    const { events } = await stack.sim.events({ expansionId: id });
    expect(events.some((e) => e.kind === 'region-online-failed')).toBe(true);
    expect(events.filter((e) => e.kind === 'extents-freed').length).toBeGreaterThan(0);
    expect((await stack.sim.vm(hostId, vmId).catch(() => ({ pluggedGiB: 0 }))).pluggedGiB).toBe(0);
    const [tenant] = await stack.sql<{ used_gib: number }>(`SELECT used_gib FROM tenants WHERE id = 'acme'`);
    const [held] = await stack.sql<{ gib: number }>(`SELECT coalesce(sum(size_gib), 0)::int AS gib FROM expansions WHERE state IN ('active','attaching','placed','detaching','degraded')`);
    expect(tenant?.used_gib).toBe(held?.gib);
  });

  it('waits out a host crash and finishes once the host is back', async () => {
    const { vmId, hostId } = vmOn(4);
    await stack.sim.injectFault({ kind: 'host-crash', hostId });
    const created = await stack.requestExpansion(vmId, { sizeGiB: 4, tier: 'any' });
    const id = created.body.id as string;
    await stack.expansionReaches(id, ['attaching']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await stack.sim.injectFault({ kind: 'host-restart', hostId });
    await stack.expansionReaches(id, ['active']);
    const op = await operation(id, 'hot-add');
    const errors = Object.values(op.checkpoint.steps ?? {}).flatMap((s) => s.errors);
    expect(errors.some((e) => e.startsWith('host-down'))).toBe(true);
  });

  it('a device failed before the saga: nothing was ever bound, so the hot-add fails and the capacity returns at once', async () => {
    await worker.stop();
    const { vmId } = vmOn(5);
    const created = await stack.requestExpansion(vmId, { sizeGiB: 4, tier: 'direct' });
    const id = created.body.id as string;
    const deviceId = (created.body.extents as { deviceId: string }[])[0]?.deviceId as string;
    await stack.sim.injectFault({ kind: 'device-fail', deviceId });
    worker = await stack.startWorker(WORKER);
    const failed = await stack.expansionReaches(id, ['failed']);
    expect(failed.reason).toMatch(/fabric-offer: .*failed/);
    expect(await liveGiB(id)).toBe(0);
    await stack.sim.injectFault({ kind: 'device-restore', deviceId });
  });

  it('a device that fails mid-saga cannot scrub what it held: the hot-add fails and the capacity stays held', async () => {
    const { vmId, hostId } = vmOn(5);
    await stack.sim.injectFault({ kind: 'host-crash', hostId });
    const created = await stack.requestExpansion(vmId, { sizeGiB: 4, tier: 'direct' });
    const id = created.body.id as string;
    const deviceId = (created.body.extents as { deviceId: string }[])[0]?.deviceId as string;
    await stack.expansionReaches(id, ['attaching']);
    // The fabric has offered the extents; the host, down, cannot accept them yet.
    await waitForEvent(id, 'extents-offered');
    await stack.sim.injectFault({ kind: 'device-fail', deviceId });
    await stack.sim.injectFault({ kind: 'host-restart', hostId });
    const failed = await stack.expansionReaches(id, ['failed'], 60_000);
    expect(failed.reason).toMatch(/capacity held/);
    expect(await liveGiB(id)).toBe(4);
    await stack.sim.injectFault({ kind: 'device-restore', deviceId });
  });
});

async function waitForEvent(expansionId: string, kind: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { events } = await stack.sim.events({ expansionId, kind });
    if (events.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no ${kind} event for ${expansionId}`);
}
