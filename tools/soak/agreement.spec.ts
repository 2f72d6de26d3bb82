/// <reference types="jest" />
import { admin, call, waitFor } from '@mxs/test-kit';
import { generateFleetSpec } from '@mxs/topology';
import { ReplayStack } from '../replay/stack';
import type { AgreementTarget, CheckOptions } from './agreement';
import { checkAgreement, runChecks } from './agreement';
import type { CheckResult } from './check-result';

const TENANT = 'soak-check';
const QUIET: CheckOptions = { skewToleranceMs: 2_000, billingCatchUpMs: 0 };

let stack: ReplayStack;
let target: AgreementTarget;
/** The expansions the tests tamper with: active ones, by id, with their VM and host. */
let active: { id: string; vmId: string; hostId: string; sizeGiB: number }[] = [];

async function expansionStates(ids: readonly string[]): Promise<Map<string, string>> {
  const rows = await stack.sql<{ id: string; state: string }>(`SELECT id, state FROM expansions WHERE id = ANY($1::uuid[])`, [ids]);
  return new Map(rows.map((r) => [r.id, r.state]));
}

const failing = (checks: readonly CheckResult[]): string[] => checks.filter((c) => !c.passed).map((c) => c.name.replace(/^[^:]+: /, ''));
const failuresOf = (checks: readonly CheckResult[], name: string): readonly string[] => checks.find((c) => c.name.endsWith(name))?.failures ?? [];

beforeAll(async () => {
  stack = await ReplayStack.start({ fleet: generateFleetSpec({ preset: 'small', seed: 5, vmsPerHost: 0 }), billing: true, label: 'soak-agreement' });
  target = { dbUrl: stack.dbUrl, sim: stack.sim, apiUrl: stack.apiUrl(0), adminKey: stack.adminKey, billingUrl: stack.billingUrl, tenantKey: (id) => stack.tenantKey(id) };
  const key = await stack.tenantKey(TENANT);
  const hosts = stack.fleet.hosts.slice(0, 3).map((h) => h.id);
  for (const [i, hostId] of hosts.entries()) {
    const vm = await admin(stack.apiUrl(0), 'POST', '/admin/v1/vms', { id: `check-vm-${i + 1}`, tenantId: TENANT, hostId, dramGiB: 64, name: `check vm ${i + 1}` });
    expect(vm.status).toBe(201);
  }
  const asks = [
    { vm: 1, sizeGiB: 4, tier: 'pooled' },
    { vm: 1, sizeGiB: 8, tier: 'direct' },
    { vm: 2, sizeGiB: 16, tier: 'any' },
    { vm: 3, sizeGiB: 2, tier: 'pooled' },
    { vm: 3, sizeGiB: 6, tier: 'direct' },
  ];
  const ids: string[] = [];
  for (const [n, a] of asks.entries()) {
    const reply = await call(stack.apiUrl(0), 'POST', `/v1/vms/check-vm-${a.vm}/expansions`, { key, body: { sizeGiB: a.sizeGiB, tier: a.tier }, headers: { 'idempotency-key': `check-${n}` } });
    expect(reply.status).toBe(202);
    ids.push((reply.body as { id: string }).id);
  }
  await waitFor('every expansion active', async () => [...(await expansionStates(ids)).values()].every((s) => s === 'active'), 30_000, 50);
  // One removed, so billing holds a closed interval too.
  expect((await call(stack.apiUrl(0), 'DELETE', `/v1/expansions/${ids[4] ?? ''}`, { key })).status).toBe(202);
  await waitFor('the removal', async () => (await expansionStates([ids[4] ?? ''])).get(ids[4] ?? '') === 'released', 30_000, 50);
  active = await stack.sql(`SELECT id, vm_id AS "vmId", host_id AS "hostId", size_gib AS "sizeGiB" FROM expansions WHERE state = 'active' ORDER BY created_at`);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

it('agrees on an honest quiet stack: every check passes, with what it compared', async () => {
  const result = await checkAgreement(target, { timeoutMs: 30_000, degradedWaitMs: 1_000, reconcileWaitMs: 0, skewToleranceMs: 2_000, billingCatchUpMs: 30_000, releaseAll: false });
  expect(result.checks.filter((c) => !c.passed)).toEqual([]);
  const checked = Object.fromEntries(result.checks.map((c) => [c.name.replace(/^[^:]+: /, ''), c.checked]));
  expect(checked['vm size: database active GiB = simulator requested = plugged']).toBe(3);
  expect(checked['expansion on its host: database active = simulator region online + VM share']).toBe(4);
  expect(checked['billing intervals = database timeline, to the second']).toBe(5);
  // Five activations and one release.
  expect(checked['usage events: one per billing boundary of the timeline, in its order, published, same GiB and tier']).toBe(6);
}, 90_000);

it('reports an expansion the simulator lost, and only that, to the GiB', async () => {
  const lost = active[0] as (typeof active)[number];
  const before = await stack.sim.state();
  try {
    await stack.sim.injectFault({ kind: 'force-release', expansionId: lost.id });
    const checks = await runChecks(target, 'tampered', QUIET);
    expect(failing(checks).sort()).toEqual([
      'expansion on its host: database active = simulator region online + VM share',
      'extents: database live = simulator held, both ways',
      'free capacity per device: database = simulator',
      'vm size: database active GiB = simulator requested = plugged',
    ]);
    const vmGiB = active.filter((x) => x.vmId === lost.vmId).reduce((sum, x) => sum + x.sizeGiB, 0);
    expect(failuresOf(checks, 'vm size: database active GiB = simulator requested = plugged')).toEqual([
      `VM ${lost.hostId}/${lost.vmId}: database active ${vmGiB} GiB, simulator requested ${vmGiB - lost.sizeGiB} GiB, plugged ${vmGiB - lost.sizeGiB} GiB`,
    ]);
    expect(failuresOf(checks, 'expansion on its host: database active = simulator region online + VM share')).toEqual([
      `active ${lost.id} (${lost.sizeGiB} GiB on ${lost.hostId}): no region, VM ${lost.vmId} share missing`,
    ]);
    const leaks = failuresOf(checks, 'extents: database live = simulator held, both ways');
    expect(leaks.length).toBeGreaterThan(0);
    expect(leaks.every((f) => f.startsWith('leak: the database holds') && f.includes(`of ${lost.id} on ${lost.hostId}`))).toBe(true);
  } finally {
    await stack.sim.putState(before);
  }
  expect(failing(await runChecks(target, 'restored', QUIET))).toEqual([]);
}, 60_000);

it('reports a database extent moved off where the simulator has it: one leak, one orphan', async () => {
  const moved = active[1] as (typeof active)[number];
  const [extent] = await stack.sql<{ device_id: string; offset_gib: number; size_gib: number; capacity_gib: number }>(
    `SELECT x.device_id, x.offset_gib, x.size_gib, d.capacity_gib FROM expansion_extents x JOIN devices d ON d.id = x.device_id WHERE x.expansion_id = $1 AND x.live ORDER BY x.offset_gib LIMIT 1`,
    [moved.id],
  );
  if (extent === undefined) throw new Error(`no live extent for ${moved.id}`);
  const taken = await stack.sql<{ offset_gib: number; size_gib: number }>(`SELECT offset_gib, size_gib FROM expansion_extents WHERE device_id = $1 AND live`, [extent.device_id]);
  // The highest aligned free run of the same size: the exclusion constraint would refuse any other.
  let offset = extent.capacity_gib - extent.size_gib;
  while (taken.some((t) => offset < t.offset_gib + t.size_gib && t.offset_gib < offset + extent.size_gib)) offset -= extent.size_gib;
  await stack.sql(`UPDATE expansion_extents SET offset_gib = $3 WHERE expansion_id = $1 AND device_id = $2 AND offset_gib = $4`, [moved.id, extent.device_id, offset, extent.offset_gib]);
  try {
    const checks = await runChecks(target, 'tampered', QUIET);
    expect(failing(checks)).toEqual(['extents: database live = simulator held, both ways']);
    const span = (at: number): string => `${extent.device_id} [${at},${at + extent.size_gib}) GiB of ${moved.id} on ${moved.hostId}`;
    expect([...failuresOf(checks, 'extents: database live = simulator held, both ways')].sort()).toEqual([
      `leak: the database holds ${span(offset)} (expansion active), the simulator does not`,
      `orphan: the simulator holds ${span(extent.offset_gib)} (accepted), the database has no live extent there`,
    ]);
  } finally {
    await stack.sql(`UPDATE expansion_extents SET offset_gib = $4 WHERE expansion_id = $1 AND device_id = $2 AND offset_gib = $3`, [moved.id, extent.device_id, offset, extent.offset_gib]);
  }
}, 60_000);

it('reports a billing interval that starts one second early', async () => {
  const billed = active[2] as (typeof active)[number];
  // Earlier, not later: the usage route lists only intervals that started before now, and this one began a moment ago.
  await stack.sql(`UPDATE usage_intervals SET start_sec = start_sec - 1 WHERE expansion_id = $1 AND seq = 0`, [billed.id]);
  try {
    const checks = await runChecks(target, 'tampered', QUIET);
    expect(failing(checks)).toEqual(['billing intervals = database timeline, to the second']);
    const failures = failuresOf(checks, 'billing intervals = database timeline, to the second');
    const starts = [...(failures[0] ?? '').matchAll(/\[(\d+),open\)/g)].map((m) => Number(m[1]));
    expect([failures.length, failures[0]?.startsWith(`${billed.id} (active): billing charged ${billed.sizeGiB} GiB`), starts.length, (starts[1] ?? 0) - (starts[0] ?? 0)]).toEqual([1, true, 2, 1]);
  } finally {
    await stack.sql(`UPDATE usage_intervals SET start_sec = start_sec + 1 WHERE expansion_id = $1 AND seq = 0`, [billed.id]);
  }
}, 60_000);
