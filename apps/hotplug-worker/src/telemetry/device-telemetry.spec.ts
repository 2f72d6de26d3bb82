/// <reference types="jest" />
import { admin, waitFor } from '@mxs/test-kit';
import type { INestApplication } from '@nestjs/common';
import type { MeteredEvent } from '@mxs/rating';
import { usageIntervals } from '@mxs/rating';
import { DegradedExpansions } from '../maintenance/degraded-expansions';
import { Reconciler } from '../reconcile/reconciler';
import { TestStack } from '../testing/stack';
import { DeviceTelemetry } from './device-telemetry';

let stack: TestStack;
let telemetry: DeviceTelemetry;
let app: INestApplication;

beforeAll(async () => {
  stack = await TestStack.start('device-telemetry');
  app = (await stack.startWorker()).app;
  telemetry = app.get(DeviceTelemetry);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

/** An active expansion of `sizeGiB` on the VM of host `n`, and the device it landed on. */
async function activeExpansion(n: number, tier: 'any' | 'pooled' = 'any'): Promise<{ id: string; deviceId: string }> {
  const created = await stack.requestExpansion(stack.tenant.vmIds[n] as string, { sizeGiB: 4, tier });
  expect(created.status).toBe(202);
  const active = await stack.expansionReaches(created.body.id as string, ['active']);
  return { id: created.body.id as string, deviceId: active.extents[0]?.deviceId as string };
}

async function outboxTypes(expansionId: string): Promise<string[]> {
  const rows = await stack.sql<{ t: string }>(
    `SELECT coalesce(payload->>'type', job_name) || coalesce(':' || (payload->>'state'), '') AS t FROM outbox WHERE payload->>'expansionId' = $1 ORDER BY created_at`,
    [expansionId],
  );
  return rows.map((r) => r.t);
}

describe('device telemetry', () => {
  it('stores every device\'s telemetry and leaves healthy devices healthy', async () => {
    const summary = await telemetry.sweep();
    expect(summary.devicesUnread).toBe(0);
    expect(summary.devicesRead).toBe(stack.fleet.devices.length);
    const rows = await stack.sql<{ n: number }>(`SELECT count(*)::int AS n FROM devices WHERE telemetry_at IS NOT NULL AND health = 'healthy'`);
    expect(rows[0]?.n).toBe(stack.fleet.devices.length);
    const metrics = await (await fetch(`${await app.getUrl()}/metrics`)).text();
    expect(metrics).toMatch(/mxs_device_life_used_ratio\{device="[^"]+"\}/);
    expect(metrics).toMatch(/mxs_device_media_status\{device="[^"]+",status="normal"\} 1/);
  });

  it('turns a device past a wear or poison threshold degraded, with a reason the fleet view shows', async () => {
    const [worn, poisoned] = stack.fleet.devices.map((d) => d.id).slice(-2) as [string, string];
    await stack.sim.injectFault({ kind: 'wear', deviceId: worn, lifeUsedPct: 93 });
    await stack.sim.injectFault({ kind: 'poison', deviceId: poisoned, dpa: 4096 });
    const summary = await telemetry.sweep();
    expect(summary.healthChanges).toEqual(expect.arrayContaining([
      { deviceId: worn, from: 'healthy', to: 'degraded', reason: 'life used 93% ≥ 90%' },
      { deviceId: poisoned, from: 'healthy', to: 'degraded', reason: '1 poison record ≥ 1' },
    ]));
    const fleet = await admin(stack.api.url, 'GET', '/admin/v1/fleet');
    const devices = (fleet.body as { devices: { id: string; health: string; healthReason: string | null }[] }).devices;
    expect(devices.find((d) => d.id === worn)).toMatchObject({ health: 'degraded', healthReason: 'life used 93% ≥ 90%' });
    // A second sweep with the same readings changes nothing.
    expect((await telemetry.sweep()).healthChanges).toEqual([]);
    // Worn back under the threshold: telemetry gives back what it took.
    await stack.sim.injectFault({ kind: 'wear', deviceId: worn, lifeUsedPct: 40 });
    expect((await telemetry.sweep()).healthChanges).toEqual([{ deviceId: worn, from: 'degraded', to: 'healthy', reason: null }]);
  });

  it("never overrides an operator's drain", async () => {
    const deviceId = stack.fleet.devices[0]?.id as string;
    expect((await admin(stack.api.url, 'PATCH', `/admin/v1/fleet/devices/${deviceId}`, { health: 'draining', reason: 'rack move' })).status).toBe(200);
    await stack.sim.injectFault({ kind: 'wear', deviceId, lifeUsedPct: 99 });
    await telemetry.sweep();
    const [row] = await stack.sql<{ health: string; health_reason: string }>(`SELECT health, health_reason FROM devices WHERE id = $1`, [deviceId]);
    expect(row).toEqual({ health: 'draining', health_reason: 'rack move' });
    await stack.sim.injectFault({ kind: 'wear', deviceId, lifeUsedPct: 10 });
    await admin(stack.api.url, 'PATCH', `/admin/v1/fleet/devices/${deviceId}`, { health: 'healthy' });
  });

  it('a device failure degrades the active expansions on it with downtime from that moment; its restore brings them back', async () => {
    const { id, deviceId } = await activeExpansion(0);
    await stack.sim.injectFault({ kind: 'device-fail', deviceId, reason: 'test' });
    const failed = await telemetry.sweep();
    expect(failed.degraded).toBeGreaterThanOrEqual(1);
    expect(failed.healthChanges).toContainEqual({ deviceId, from: 'healthy', to: 'failed', reason: 'media status failed' });
    const degraded = await stack.expansionReaches(id, ['degraded'], 5_000);
    expect(degraded.reason).toBe(`device ${deviceId} failed`);
    const open = await stack.sql<{ reason: string; ended_at: Date | null }>(`SELECT reason, ended_at FROM expansion_downtime WHERE expansion_id = $1`, [id]);
    expect(open).toEqual([{ reason: `device ${deviceId} failed`, ended_at: null }]);
    expect(await outboxTypes(id)).toEqual(expect.arrayContaining(['expansion.degraded', 'expansion.state-changed:degraded']));

    // Seen again while still failed: one outage, one event.
    await telemetry.sweep();
    expect(await stack.sql(`SELECT 1 FROM expansion_downtime WHERE expansion_id = $1`, [id])).toHaveLength(1);
    expect((await outboxTypes(id)).filter((t) => t === 'expansion.degraded')).toHaveLength(1);

    await stack.sim.injectFault({ kind: 'device-restore', deviceId });
    const restored = await telemetry.sweep();
    expect(restored.restored).toBeGreaterThanOrEqual(1);
    expect(restored.healthChanges).toContainEqual({ deviceId, from: 'failed', to: 'healthy', reason: null });
    const active = await stack.expansionReaches(id, ['active'], 5_000);
    expect(active.timeline.map((t) => t.to).slice(-2)).toEqual(['degraded', 'active']);
    const [closed] = await stack.sql<{ started_at: Date; ended_at: Date | null }>(`SELECT started_at, ended_at FROM expansion_downtime WHERE expansion_id = $1`, [id]);
    expect(closed?.ended_at).not.toBeNull();
    expect((closed?.ended_at as Date).getTime()).toBeGreaterThanOrEqual((closed as { started_at: Date }).started_at.getTime());
    expect(await outboxTypes(id)).toEqual(expect.arrayContaining(['expansion.restored', 'expansion.state-changed:active']));
  });

  it('a sweep that looked before a hot-add ended dates the outage no earlier than the activation, so billing charges none of it', async () => {
    const { id } = await activeExpansion(3);
    const usage = async () =>
      stack.sql<MeteredEvent & { atIso: string }>(
        `SELECT payload->>'eventId' AS "eventId", payload->>'type' AS type, payload->>'at' AS "atIso", (payload->>'sizeGiB')::int AS "sizeGiB", payload->>'tier' AS tier
         FROM outbox WHERE queue = 'usage-events' AND payload->>'expansionId' = $1 ORDER BY created_at`,
        [id],
      );
    const momentOf = async (type: string) => Date.parse((await usage()).find((e) => e.type === type)?.atIso ?? 'missing');
    const activatedAt = await momentOf('expansion.activated');
    expect(Number.isFinite(activatedAt)).toBe(true);
    // The sweep's moment was taken before the saga ended; it moves the expansion after.
    const expansions = app.get(DegradedExpansions);
    expect(await expansions.degrade(id, 'device failed (test)', new Date(activatedAt - 5_000), false)).toEqual({ degraded: true, replaced: false });
    const degradedAt = await momentOf('expansion.degraded');
    expect(degradedAt).toBeGreaterThanOrEqual(activatedAt);
    const [outage] = await stack.sql<{ started_at: Date }>(`SELECT started_at FROM expansion_downtime WHERE expansion_id = $1`, [id]);
    expect(outage?.started_at.getTime()).toBe(degradedAt);
    expect(await expansions.restore(id, new Date(activatedAt + 3_000))).toBe(true);
    // A second outage whose restore was seen before its degrade is moved: it still ends after it began.
    expect((await expansions.degrade(id, 'device failed again (test)', new Date(activatedAt + 10_000), false)).degraded).toBe(true);
    expect(await expansions.restore(id, new Date(activatedAt + 5_000))).toBe(true);
    const moments = (await usage()).map((e) => [e.type, Date.parse(e.atIso) - activatedAt]);
    expect(moments).toEqual([
      ['expansion.activated', 0],
      ['expansion.degraded', 0],
      ['expansion.restored', 3_000],
      ['expansion.degraded', 10_000],
      ['expansion.restored', 10_000],
    ]);
    const transitions = await stack.sql<{ to_state: string; at: Date }>(`SELECT to_state, at FROM expansion_transitions WHERE expansion_id = $1 ORDER BY id`, [id]);
    expect(transitions.slice(-5).map((t) => [t.to_state, t.at.getTime() - activatedAt])).toEqual([['active', 0], ['degraded', 0], ['active', 3_000], ['degraded', 10_000], ['active', 10_000]]);
    // Billing, which orders events by their moment, charges nothing of the first outage.
    const events = (await usage()).map(({ atIso, ...e }) => ({ ...e, atMs: Date.parse(atIso) }));
    const first = Math.floor(activatedAt / 1000);
    expect(usageIntervals(events).map((i) => [i.kind, i.startSec - first, i.endSec === null ? null : i.endSec - first])).toEqual([
      ['degraded', 0, 3],
      ['charged', 3, 10],
      ['charged', 10, null],
    ]);
  });

  it('a switch link down degrades only the expansions of the host it cuts off', async () => {
    const { id, deviceId } = await activeExpansion(1, 'pooled');
    const device = stack.fleet.devices.find((d) => d.id === deviceId);
    if (device?.attachment.kind !== 'switch') throw new Error(`a pooled device of the small fleet is switched; ${deviceId} is not`);
    const hostId = stack.fleet.hosts[1]?.id as string;
    const switchId = device.attachment.switchId;
    await stack.sim.injectFault({ kind: 'link-down', switchId, hostId });
    await telemetry.sweep();
    const degraded = await stack.expansionReaches(id, ['degraded'], 5_000);
    expect(degraded.reason).toBe(`link between ${hostId} and switch ${switchId} down`);
    const [row] = await stack.sql<{ health: string }>(`SELECT health FROM devices WHERE id = $1`, [deviceId]);
    expect(row?.health).toBe('healthy');
    await stack.sim.injectFault({ kind: 'link-up', switchId, hostId });
    await telemetry.sweep();
    await stack.expansionReaches(id, ['active'], 5_000);
  });
  it("with the tenant's auto_replace on, a degraded expansion is replaced on a healthy device and the old one ends", async () => {
    await stack.sql(`UPDATE tenants SET auto_replace = true WHERE id = 'acme'`);
    const vmId = stack.tenant.vmIds[2] as string;
    const { id, deviceId } = await activeExpansion(2, 'pooled');
    await stack.sim.injectFault({ kind: 'device-fail', deviceId });
    const summary = await telemetry.sweep();
    expect(summary.replaced).toBeGreaterThanOrEqual(1);
    let replacement = '';
    await waitFor('the replacement expansion', async () => {
      const rows = await stack.sql<{ id: string }>(`SELECT id FROM expansions WHERE vm_id = $1 AND id <> $2 AND state <> 'released'`, [vmId, id]);
      replacement = rows[0]?.id ?? '';
      return replacement !== '';
    }, 10_000, 25);
    const active = await stack.expansionReaches(replacement, ['active']);
    expect(active.extents.every((e) => e.deviceId !== deviceId)).toBe(true);
    expect(active.extents.reduce((sum, e) => sum + e.sizeGiB, 0)).toBe(4);
    const old = await stack.expansionReaches(id, ['released', 'failed'], 30_000);
    expect(old.reason).toContain(deviceId);
    expect(old.timeline).toEqual(expect.arrayContaining([
      expect.objectContaining({ to: 'degraded', reason: `device ${deviceId} failed` }),
      expect.objectContaining({ to: 'detaching', reason: `replaced: device ${deviceId} failed` }),
    ]));
    // The request went through the placement path under its fixed key, once.
    expect(await stack.sql(`SELECT 1 FROM idempotency_keys WHERE key = $1`, [`replace-${id}`])).toHaveLength(1);
    // Its capacity stays held until the restored device has scrubbed it; reconciliation then returns it.
    await stack.sim.injectFault({ kind: 'device-restore', deviceId });
    await waitFor('the fabric to finish the release', async () => (await stack.agent.deviceState(deviceId)).extents.every((e) => e.expansionId !== id), 10_000, 25);
    expect((await app.get(Reconciler).reconcile()).capacityReturned).toBe(old.state === 'failed' ? 1 : 0);
    expect(await stack.sql(`SELECT 1 FROM expansion_extents WHERE expansion_id = $1 AND live`, [id])).toEqual([]);
    await stack.sql(`UPDATE tenants SET auto_replace = NULL WHERE id = 'acme'`);
  }, 60_000);
});
