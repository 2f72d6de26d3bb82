/**
 * Probes one race the soak's billing check watches for: a device that fails while a hot-add's
 * guest plugs (a host-side step, so the hot-add still ends `active`) and a telemetry sweep whose
 * moment was taken before that activation. Before the fix (DegradedExpansions moves the moment up
 * to the expansion's last transition) the degrade was dated before `expansion.activated`, and
 * billing, ordering events by moment, skipped it and the restore and charged the outage. It
 * prints the failed checks and any expansion degraded before its activation (now none).
 *
 *   npx tsx --tsconfig tsconfig.base.json tools/soak/degrade-race-probe.ts [rounds]
 */
import { admin, call, waitFor } from '@mxs/test-kit';
import { generateFleetSpec } from '@mxs/topology';
import { ReplayStack } from '../replay/stack';
import { formatChecks, runChecks } from './agreement';

const TENANT = 'probe';

async function stateOf(stack: ReplayStack, id: string): Promise<string> {
  return (await stack.sql<{ state: string }>(`SELECT state FROM expansions WHERE id = $1`, [id]))[0]?.state ?? 'missing';
}

/** One expansion on the host's direct device: fail the device while the guest plugs, restore it, remove the expansion. */
async function trial(stack: ReplayStack, key: string, round: number, i: number): Promise<void> {
  const hostId = stack.fleet.hosts[i]?.id ?? '';
  const device = stack.fleet.devices.find((d) => d.attachment.kind === 'direct' && d.attachment.hostId === hostId);
  if (device === undefined) return;
  const reply = await call(stack.apiUrl(0), 'POST', `/v1/vms/probe-vm-${i}/expansions`, { key, body: { sizeGiB: 256, tier: 'direct' }, headers: { 'idempotency-key': `probe-${round}-${i}` } });
  if (reply.status !== 202) throw new Error(`request: ${reply.status} ${JSON.stringify(reply.body)}`);
  const id = (reply.body as { id: string }).id;
  await waitFor('the guest to start plugging', async () => (await stack.sim.host(hostId)).regions.some((r) => r.expansionId === id && r.state === 'online'), 60_000, 20);
  // Spread the failures over the plug (about 2 s for 256 GiB at time scale 1).
  await new Promise((resolve) => setTimeout(resolve, 200 + ((i * 137) % 1500)));
  await stack.sim.injectFault({ kind: 'device-fail', deviceId: device.id });
  await waitFor('degraded', async () => (await stateOf(stack, id)) === 'degraded', 60_000, 50);
  // An outage of a few seconds: long enough that billing's view of it differs by whole seconds.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  await stack.sim.injectFault({ kind: 'device-restore', deviceId: device.id });
  await waitFor('restored', async () => (await stateOf(stack, id)) === 'active', 60_000, 50);
  if ((await call(stack.apiUrl(0), 'DELETE', `/v1/expansions/${id}`, { key })).status !== 202) throw new Error(`remove ${id} refused`);
  await waitFor('released', async () => (await stateOf(stack, id)) === 'released', 120_000, 100);
}

/** Expansions whose degrade is dated before their activation, with their events, transitions and billed intervals. */
async function evidence(stack: ReplayStack): Promise<string[]> {
  const early = await stack.sql<{ id: string }>(
    `SELECT d.payload ->> 'expansionId' AS id FROM outbox d JOIN outbox a ON a.payload ->> 'expansionId' = d.payload ->> 'expansionId'
     WHERE d.payload ->> 'type' = 'expansion.degraded' AND a.payload ->> 'type' = 'expansion.activated'
       AND (d.payload ->> 'at')::timestamptz < (a.payload ->> 'at')::timestamptz ORDER BY 1`,
  );
  const lines: string[] = [];
  for (const { id } of early) {
    const events = await stack.sql<{ type: string; at: string }>(`SELECT payload ->> 'type' AS type, payload ->> 'at' AS at FROM outbox WHERE payload ->> 'expansionId' = $1 AND queue = 'usage-events' ORDER BY (payload ->> 'at')::timestamptz`, [id]);
    const transitions = await stack.sql<{ move: string; at: Date }>(`SELECT coalesce(from_state, '') || '→' || to_state AS move, at FROM expansion_transitions WHERE expansion_id = $1 ORDER BY id`, [id]);
    const billed = await stack.sql<{ kind: string; start_sec: string; end_sec: string | null }>(`SELECT kind, start_sec, end_sec FROM usage_intervals WHERE expansion_id = $1 ORDER BY seq`, [id]);
    lines.push(
      `expansion ${id}`,
      `  usage events: ${events.map((e) => `${e.type} ${e.at}`).join(', ')}`,
      `  transitions:  ${transitions.map((t) => `${t.move} ${t.at.toISOString()}`).join(', ')}`,
      `  billed:       ${billed.map((b) => `${b.kind} [${b.start_sec},${b.end_sec ?? 'open'})`).join(', ')}`,
    );
  }
  lines.push(`${early.length} expansions degraded with a moment before their activation`);
  return lines;
}

async function main(rounds: number): Promise<void> {
  const fleet = generateFleetSpec({ preset: 'small', seed: 9, vmsPerHost: 0 });
  // Sweeps every 100 ms from two workers: the sweep's moment often falls just before an activation.
  const stack = await ReplayStack.start({ fleet, billing: true, simTimeScale: 1, workers: 2, workerEnv: { MXS_TELEMETRY_INTERVAL_MS: '100', MXS_STEP_DEADLINE_MS: '60000' }, label: 'degrade-race' });
  try {
    const key = await stack.tenantKey(TENANT);
    for (const [i, host] of fleet.hosts.entries()) {
      const vm = await admin(stack.apiUrl(0), 'POST', '/admin/v1/vms', { id: `probe-vm-${i}`, tenantId: TENANT, hostId: host.id, dramGiB: 512, name: `probe ${i}` });
      if (vm.status !== 201) throw new Error(`vm: ${vm.status} ${JSON.stringify(vm.body)}`);
    }
    for (let round = 0; round < rounds; round++) await Promise.all(fleet.hosts.map((_, i) => trial(stack, key, round, i)));
    const target = { dbUrl: stack.dbUrl, sim: stack.sim, apiUrl: stack.apiUrl(0), adminKey: stack.adminKey, billingUrl: stack.billingUrl, tenantKey: (id: string) => stack.tenantKey(id) };
    const checks = await runChecks(target, 'probe', { skewToleranceMs: 2_000, billingCatchUpMs: 15_000 });
    process.stdout.write(`${formatChecks(checks.filter((c) => !c.passed))}\n${(await evidence(stack)).join('\n')}\n`);
  } finally {
    await stack.stop();
  }
}

main(Number(process.argv[2] ?? '3')).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
