/// <reference types="jest" />
import { expansionEventSchema, usageEventSchema } from '@mxs/contracts';
import type { HostAgent } from '@mxs/host-agent';
import { admin } from '@mxs/test-kit';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { Registry } from 'prom-client';
import { TestStack } from './testing/stack';
import { HOST_AGENT } from './tokens';

/** Counts of the simulator's effects for one expansion, by kind: each should happen once. */
async function effects(stack: TestStack, expansionId: string): Promise<Record<string, number>> {
  const { events } = await stack.sim.events({ expansionId });
  const counts: Record<string, number> = {};
  for (const e of events) counts[e.kind] = (counts[e.kind] ?? 0) + 1;
  return counts;
}

let stack: TestStack;
let worker: { app: INestApplication };

beforeAll(async () => {
  stack = await TestStack.start('hotplug-e2e');
  worker = await stack.startWorker();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('an expansion from request to release', () => {
  it('goes active with the VM grown by its size, then released with the capacity free only after the fabric release', async () => {
    const vmId = stack.tenant.vmIds[0] as string;
    const hostId = stack.fleet.hosts[0]?.id as string;
    const before = await stack.sim.vm(hostId, vmId).catch(() => ({ pluggedGiB: 0, requestedGiB: 0 }));

    const created = await stack.requestExpansion(vmId, { sizeGiB: 8, tier: 'any' });
    expect(created.status).toBe(202);
    const id = created.body.id as string;
    const active = await stack.expansionReaches(id, ['active']);
    expect(active.timeline.map((t) => t.to)).toEqual(['requested', 'placed', 'attaching', 'active']);
    const grown = await stack.sim.vm(hostId, vmId);
    expect(grown.pluggedGiB - before.pluggedGiB).toBe(8);
    expect(grown.requestedGiB).toBe(grown.pluggedGiB);
    const host = await stack.sim.host(hostId);
    expect(host.regions.find((r) => r.expansionId === id)).toMatchObject({ state: 'online', sizeGiB: 8 });

    const removing = await stack.removeExpansion(id);
    expect(removing.status).toBe(202);
    const released = await stack.expansionReaches(id, ['released']);
    expect(released.timeline.map((t) => t.to).slice(-2)).toEqual(['detaching', 'released']);
    expect((await stack.sim.vm(hostId, vmId)).pluggedGiB).toBe(before.pluggedGiB);

    // The database freed the capacity, and the fabric had freed (scrubbed) it before that.
    const [extents] = await stack.sql<{ live: number }>(`SELECT count(*) FILTER (WHERE live)::int AS live FROM expansion_extents WHERE expansion_id = $1`, [id]);
    expect(extents?.live).toBe(0);
    const [tenant] = await stack.sql<{ used_gib: number }>(`SELECT used_gib FROM tenants WHERE id = 'acme'`);
    expect(tenant?.used_gib).toBe(0);
    const [mapped] = await stack.sql<{ mapped_gib: number }>(`SELECT mapped_gib FROM hosts WHERE id = $1`, [hostId]);
    expect(mapped?.mapped_gib).toBe(0);
    const { events } = await stack.sim.events({ expansionId: id });
    const freedAt = Date.parse(events.find((e) => e.kind === 'extents-freed')?.at ?? '');
    const [releasedRow] = await stack.sql<{ at: Date }>(`SELECT at FROM expansion_transitions WHERE expansion_id = $1 AND to_state = 'released'`, [id]);
    expect(freedAt).toBeLessThanOrEqual(releasedRow?.at.getTime() ?? 0);

    // Every effect on the host and the fabric happened exactly once.
    const counts = await effects(stack, id);
    for (const kind of ['extents-offered', 'extents-accepted', 'region-onlined', 'vm-plugged', 'vm-unplugged', 'region-offlined', 'region-destroyed', 'extents-freed']) {
      expect([kind, counts[kind]]).toEqual([kind, 1]);
    }
  });

  it('meters it: activated and released usage events, each with its own id and the host moment', async () => {
    const vmId = stack.tenant.vmIds[1] as string;
    const created = await stack.requestExpansion(vmId, { sizeGiB: 4, tier: 'any' });
    const id = created.body.id as string;
    await stack.expansionReaches(id, ['active']);
    await stack.removeExpansion(id);
    await stack.expansionReaches(id, ['released']);
    const usage = await stack.sql<{ payload: { type: string; sizeGiB: number; eventId: string; at: string } }>(
      `SELECT payload FROM outbox WHERE queue = 'usage-events' AND payload->>'expansionId' = $1 ORDER BY created_at`,
      [id],
    );
    expect(usage.map((u) => [u.payload.type, u.payload.sizeGiB])).toEqual([['expansion.activated', 4], ['expansion.released', 0]]);
    expect(new Set(usage.map((u) => u.payload.eventId)).size).toBe(2);
    // What billing and automation will parse: the contracts' own schemas accept every event.
    for (const u of usage) expect(usageEventSchema.safeParse(u.payload).error).toBeUndefined();
    const changes = await stack.sql<{ payload: unknown }>(`SELECT payload FROM outbox WHERE queue = 'expansion-events' AND payload->>'expansionId' = $1`, [id]);
    expect(changes.length).toBeGreaterThanOrEqual(2);
    for (const c of changes) expect(expansionEventSchema.safeParse(c.payload).error).toBeUndefined();
    const ops = await stack.sql<{ kind: string; state: string; steps: string[] }>(
      `SELECT kind, state, ARRAY(SELECT jsonb_object_keys(checkpoint->'steps') ORDER BY 1) AS steps FROM operations WHERE expansion_id = $1 ORDER BY created_at`,
      [id],
    );
    expect(ops).toEqual([
      { kind: 'hot-add', state: 'done', steps: ['fabric-offer', 'host-accept', 'host-online', 'vm-plug'] },
      { kind: 'hot-remove', state: 'done', steps: ['fabric-release', 'host-destroy', 'host-offline', 'vm-unplug'] },
    ]);
  });

  it('force-releases at an operator’s word: the fabric takes the memory at once, then the capacity is free', async () => {
    const vmId = stack.tenant.vmIds[2] as string;
    const hostId = stack.fleet.hosts[2]?.id as string;
    const created = await stack.requestExpansion(vmId, { sizeGiB: 4, tier: 'any' });
    const id = created.body.id as string;
    await stack.expansionReaches(id, ['active']);
    const before = await stack.sim.vm(hostId, vmId);
    const forced = await admin(stack.api.url, 'POST', `/admin/v1/expansions/${id}/force-release`);
    expect(forced.status).toBe(202);
    const released = await stack.expansionReaches(id, ['released']);
    expect(released.timeline.map((t) => t.to).slice(-2)).toEqual(['detaching', 'released']);
    expect((await stack.sim.vm(hostId, vmId)).pluggedGiB).toBe(before.pluggedGiB - 4);
    // No guest steps ran: the fabric took the region and the VM's share itself.
    const counts = await effects(stack, id);
    expect([counts['vm-unplugged'], counts['region-offlined'], counts['extents-freed']]).toEqual([undefined, undefined, 1]);
    // The console's saga view: the hot-add's four steps, then the forced release alone.
    const detail = (await admin(stack.api.url, 'GET', `/admin/v1/expansions/${id}`)).body as { operations: { kind: string; force: boolean; state: string; steps: { name: string; durationMs: number }[] }[] };
    expect(detail.operations.map((o) => ({ kind: o.kind, force: o.force, state: o.state, steps: o.steps.map((s) => s.name) }))).toEqual([
      { kind: 'hot-add', force: false, state: 'done', steps: ['fabric-offer', 'host-accept', 'host-online', 'vm-plug'] },
      { kind: 'hot-remove', force: true, state: 'done', steps: ['fabric-force-release'] },
    ]);
    expect(detail.operations.flatMap((o) => o.steps).every((s) => s.durationMs >= 0)).toBe(true);
    const [extents] = await stack.sql<{ live: number }>(`SELECT count(*) FILTER (WHERE live)::int AS live FROM expansion_extents WHERE expansion_id = $1`, [id]);
    expect(extents?.live).toBe(0);
  });

  it('runs a step while the checkpoint of the one before it is still being written', async () => {
    const vmId = stack.tenant.vmIds[3] as string;
    const hostId = stack.fleet.hosts[3]?.id as string;
    const agent = worker.app.get<HostAgent>(HOST_AGENT);
    const { offerExtents, acceptExtents } = agent;
    const holder = new Client({ connectionString: stack.db.url });
    await holder.connect();
    let held = false;
    let timer: NodeJS.Timeout | undefined;
    let heldAtAccept: boolean | null = null;
    const letGo = async (): Promise<void> => {
      if (!held) return;
      held = false;
      await holder.query('COMMIT');
    };
    // Once the fabric has offered, the operation's row is locked, as by a write that takes long:
    // the offer's checkpoint cannot commit until the lock goes, which the host's accept lets go
    // (or, should the accept never come while the lock stands, a timer 3 s later). The accept
    // first runs past MXS_CHECKPOINT_AFTER_MS (100 ms), so the offer's write is due and waiting.
    let offerCheckpointedAtAccept: boolean | null = null;
    agent.offerExtents = async (req, opts) => {
      await offerExtents.call(agent, req, opts);
      if (req.hostId !== hostId || heldAtAccept !== null || held) return;
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM operations WHERE expansion_id = $1 AND kind = 'hot-add' FOR UPDATE`, [req.expansionId]);
      held = true;
      timer = setTimeout(() => void letGo(), 3_000);
    };
    agent.acceptExtents = async (req, opts) => {
      if (req.hostId === hostId && heldAtAccept === null) {
        await new Promise((resolve) => setTimeout(resolve, 400));
        heldAtAccept = held;
        offerCheckpointedAtAccept = (await stack.checkpointedSteps(req.expansionId, 'hot-add')).includes('fabric-offer');
        await letGo();
      }
      return acceptExtents.call(agent, req, opts);
    };
    try {
      const id = (await stack.requestExpansion(vmId, { sizeGiB: 2, tier: 'any' })).body.id as string;
      await stack.expansionReaches(id, ['active']);
      expect(heldAtAccept).toBe(true);
      expect(offerCheckpointedAtAccept).toBe(false);
      // Every step's checkpoint is there all the same, each effect happened once.
      expect(await stack.checkpointedSteps(id, 'hot-add')).toEqual(['fabric-offer', 'host-accept', 'host-online', 'vm-plug']);
      expect(await effects(stack, id)).toMatchObject({ 'extents-offered': 1, 'extents-accepted': 1, 'region-onlined': 1, 'vm-plugged': 1 });
    } finally {
      Object.assign(agent, { offerExtents, acceptExtents });
      clearTimeout(timer);
      await letGo();
      await holder.end();
    }
  });

  it('runs one hot-plug at a time per host, and hosts side by side', async () => {
    const ids: string[] = [];
    for (const vmId of stack.tenant.vmIds) {
      for (let i = 0; i < 3; i++) ids.push((await stack.requestExpansion(vmId, { sizeGiB: 2, tier: 'any' })).body.id as string);
    }
    for (const id of ids) await stack.expansionReaches(id, ['active']);
    const spans = await stack.sql<{ host_id: string; started_at: Date; finished_at: Date }>(
      `SELECT e.host_id, o.started_at, o.finished_at FROM operations o JOIN expansions e ON e.id = o.expansion_id WHERE o.expansion_id = ANY($1::uuid[])`,
      [ids],
    );
    const byHost = new Map<string, { started_at: Date; finished_at: Date }[]>();
    for (const s of spans) byHost.set(s.host_id, [...(byHost.get(s.host_id) ?? []), s]);
    for (const list of byHost.values()) {
      list.sort((a, b) => a.started_at.getTime() - b.started_at.getTime());
      for (let i = 1; i < list.length; i++) expect((list[i] as { started_at: Date }).started_at.getTime()).toBeGreaterThanOrEqual((list[i - 1] as { finished_at: Date }).finished_at.getTime());
    }
  });

  it('tells operators how long each saga waited, from its queueing, for the host’s lease', async () => {
    const waits = async (): Promise<{ count: number; sum: number }> => {
      const text = await worker.app.get(Registry).getSingleMetricAsString('mxs_hotplug_lease_wait_seconds');
      const value = (name: string): number => Number(new RegExp(`^${name}\\{saga="hot-add"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
      return { count: value('mxs_hotplug_lease_wait_seconds_count'), sum: value('mxs_hotplug_lease_wait_seconds_sum') };
    };
    const before = await waits();
    const startedAt = Date.now();
    // Three on one VM, so one host: the second and third wait for the one before.
    const vmId = stack.tenant.vmIds[0] as string;
    const ids = await Promise.all([1, 2, 3].map(async () => (await stack.requestExpansion(vmId, { sizeGiB: 2, tier: 'any' })).body.id as string));
    for (const id of ids) await stack.expansionReaches(id, ['active']);
    const elapsedSeconds = (Date.now() - startedAt) / 1000;
    const after = await waits();
    expect(after.count - before.count).toBe(3);
    expect(after.sum - before.sum).toBeGreaterThan(0);
    expect(after.sum - before.sum).toBeLessThanOrEqual(3 * elapsedSeconds);
  });
});
