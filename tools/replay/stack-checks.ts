/**
 * What must hold after a replay, however many API and worker replicas ran it: read from
 * PostgreSQL, the simulator and the workers' logs, each problem named so a failure says which.
 */
import type { SimEventView } from '@mxs/host-agent';
import type { ReplayStack } from './stack';

export interface InvariantReport {
  /** Pairs of live extents on one device that overlap. */
  readonly overlaps: readonly string[];
  /** Devices whose live extents add up past their capacity, or reach past its end. */
  readonly overCommitted: readonly string[];
  /** Accepted expansions neither active nor ended. */
  readonly unsettled: readonly string[];
  /** Where the database and the simulated hosts and devices disagree. */
  readonly simulatorMismatches: readonly string[];
  /** A simulator effect (offer, accept, online, plug, unplug, offline, destroy, release, free) applied twice to one expansion. */
  readonly repeatedEffects: readonly string[];
  /** An operation that ended in two worker runs (by the workers' logs). */
  readonly sagasEndedTwice: readonly string[];
  /** Sagas each worker ended, by worker index (from its logs). */
  readonly sagasByWorker: readonly number[];
  /** Operations that ended (done, failed, superseded) by the database. */
  readonly sagasEnded: number;
  /** Operations of the same kind made twice for one expansion. */
  readonly duplicateOperations: readonly string[];
  /** Operations begun more than once (a re-run after a crash, or a lease lost under load): resumed from their checkpoint. */
  readonly operationsBegunTwice: readonly string[];
}

/** Each applied once per expansion; retries and progress reports are not effects. */
const EFFECT_KINDS = new Set([
  'extents-offered', 'extents-accepted', 'region-onlining-started', 'region-onlined', 'vm-plug-started', 'vm-plugged',
  'vm-unplug-started', 'vm-unplugged', 'region-offlining-started', 'region-offlined', 'region-destroyed', 'extents-release-started', 'extents-freed',
]);
interface ExpansionRow {
  readonly id: string;
  readonly state: string;
  readonly host_id: string;
  readonly vm_id: string;
  readonly size_gib: number;
  /** Extents the database still counts as holding capacity. */
  readonly live_extents: number;
}

const SETTLED = new Set(['active', 'degraded', 'released', 'failed', 'rejected']);
const ENDED = new Set(['done', 'failed', 'superseded']);
const SAGA_END = /^hot-(add|remove) (done|failed|superseded)$/;

export async function checkInvariants(stack: ReplayStack, expansionIds: readonly string[]): Promise<InvariantReport> {
  const [overlaps, overCommitted, expansions, events, operations] = await Promise.all([
    stack.sql<{ device_id: string; a: string; b: string }>(
      `SELECT x.device_id, x.expansion_id AS a, y.expansion_id AS b FROM expansion_extents x
         JOIN expansion_extents y ON y.device_id = x.device_id AND x.expansion_id < y.expansion_id AND x.span && y.span
        WHERE x.live AND y.live`,
    ),
    stack.sql<{ id: string; capacity_gib: number; used_gib: number; end_gib: number }>(
      `SELECT d.id, d.capacity_gib, coalesce(sum(x.size_gib), 0)::int AS used_gib, coalesce(max(x.offset_gib + x.size_gib), 0)::int AS end_gib
         FROM devices d LEFT JOIN expansion_extents x ON x.device_id = d.id AND x.live
        GROUP BY d.id HAVING coalesce(sum(x.size_gib), 0) > d.capacity_gib OR coalesce(max(x.offset_gib + x.size_gib), 0) > d.capacity_gib`,
    ),
    stack.sql<ExpansionRow>(
      `SELECT e.id, e.state, e.host_id, e.vm_id, e.size_gib,
              (SELECT count(*) FROM expansion_extents x WHERE x.expansion_id = e.id AND x.live)::int AS live_extents
         FROM expansions e WHERE e.id = ANY($1::uuid[])`,
      [[...expansionIds]],
    ),
    allSimEvents(stack),
    stack.sql<{ id: string; expansion_id: string; kind: string; state: string; attempts: number }>(`SELECT id, expansion_id, kind, state, attempts FROM operations`),
  ]);
  const perKind = new Map<string, number>();
  for (const o of operations) perKind.set(`${o.expansion_id} ${o.kind}`, (perKind.get(`${o.expansion_id} ${o.kind}`) ?? 0) + 1);
  const unsettled = expansions.filter((e) => !SETTLED.has(e.state)).map((e) => `${e.id} ${e.state}`);
  const missing = expansionIds.length - expansions.length;
  if (missing > 0) unsettled.push(`${missing} accepted expansion(s) missing from the database`);
  const logs = Array.from({ length: stack.workerCount() }, (_, i) => sagaEnds(stack.workerOutput(i)));
  const endedBy = new Map<string, number>();
  for (const ends of logs) for (const id of ends) endedBy.set(id, (endedBy.get(id) ?? 0) + 1);
  return {
    overlaps: overlaps.map((o) => `${o.device_id}: ${o.a} overlaps ${o.b}`),
    overCommitted: overCommitted.map((d) => `${d.id}: ${d.used_gib} GiB live up to ${d.end_gib} GiB of ${d.capacity_gib}`),
    unsettled,
    simulatorMismatches: await simulatorMismatches(stack, expansions),
    repeatedEffects: repeatedEffects(events),
    sagasEndedTwice: [...endedBy].filter(([, n]) => n > 1).map(([id, n]) => `operation ${id} ended ${n} times`),
    sagasByWorker: logs.map((ends) => ends.length),
    sagasEnded: operations.filter((o) => ENDED.has(o.state)).length,
    duplicateOperations: [...perKind].filter(([, n]) => n > 1).map(([key, n]) => `${key} ×${n}`),
    operationsBegunTwice: operations.filter((o) => o.attempts > 1).map((o) => `${o.kind} ${o.id} of ${o.expansion_id}: ${o.attempts} runs`),
  };
}

/** Every problem of the report, one line each; empty when all holds. */
export function invariantProblems(r: InvariantReport): string[] {
  return [...r.overlaps, ...r.overCommitted, ...r.unsettled, ...r.simulatorMismatches, ...r.repeatedEffects, ...r.sagasEndedTwice, ...r.duplicateOperations];
}

async function allSimEvents(stack: ReplayStack): Promise<SimEventView[]> {
  const out: SimEventView[] = [];
  for (let since = 0; ; ) {
    const page = await stack.sim.events({ since, limit: 100_000 });
    out.push(...page.events);
    const last = page.events[page.events.length - 1];
    if (last === undefined || last.seq >= page.lastSeq) return out;
    since = last.seq;
  }
}

function repeatedEffects(events: readonly SimEventView[]): string[] {
  const seen = new Map<string, number>();
  for (const e of events) {
    if (!EFFECT_KINDS.has(e.kind) || e.expansionId === undefined) continue;
    const key = `${e.expansionId} ${e.kind} on ${e.deviceId ?? e.hostId ?? '?'}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([key, n]) => `${key} ×${n}`);
}

/** The operation ids whose end this worker logged ("hot-add done" and the like). */
export function sagaEnds(output: string): string[] {
  const ids: string[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { msg?: unknown; operationId?: unknown };
      if (typeof entry.msg === 'string' && SAGA_END.test(entry.msg) && typeof entry.operationId === 'string') ids.push(entry.operationId);
    } catch {
      // a line cut short by a kill: not an end
    }
  }
  return ids;
}

/**
 * Active: the host has its region online and its extents accepted, the guest plugged all of it.
 * Released, or failed with its capacity returned: the database holds no live extent of it and
 * the simulator nothing on host or device. (A failed one whose undo stopped keeps both.)
 */
async function simulatorMismatches(stack: ReplayStack, expansions: readonly ExpansionRow[]): Promise<string[]> {
  const hostIds = [...new Set(expansions.map((e) => e.host_id))];
  const hosts = new Map(await Promise.all(hostIds.map(async (id) => [id, await stack.sim.host(id)] as const)));
  const devices = await Promise.all(stack.fleet.devices.map((d) => stack.sim.device(d.id)));
  const onDevices = new Set(devices.flatMap((d) => d.extents.map((x) => x.expansionId)));
  const vms = new Map<string, Awaited<ReturnType<ReplayStack['sim']['vm']>>>();
  const problems: string[] = [];
  for (const e of expansions) {
    const host = hosts.get(e.host_id);
    if (host === undefined) continue;
    const region = host.regions.find((r) => r.expansionId === e.id);
    const extents = host.extents.filter((x) => x.expansionId === e.id);
    if (e.state === 'active') {
      if (region?.state !== 'online' || region.sizeGiB !== e.size_gib) problems.push(`${e.id} is active but its region on ${e.host_id} is ${region === undefined ? 'missing' : `${region.state}, ${region.sizeGiB} GiB`}`);
      const acceptedGiB = extents.filter((x) => x.accepted).reduce((sum, x) => sum + x.sizeGiB, 0);
      if (acceptedGiB !== e.size_gib) problems.push(`${e.id} is active (${e.size_gib} GiB) but ${e.host_id} accepted ${acceptedGiB} GiB of its extents`);
      const key = `${e.host_id}/${e.vm_id}`;
      if (!vms.has(key)) vms.set(key, await stack.sim.vm(e.host_id, e.vm_id));
      const share = vms.get(key)?.shares.find((s) => s.expansionId === e.id);
      if (share?.pluggedGiB !== e.size_gib) problems.push(`${e.id} is active (${e.size_gib} GiB) but VM ${e.vm_id} has ${share?.pluggedGiB ?? 0} GiB of it plugged`);
    } else if (e.state === 'released' || (e.state === 'failed' && e.live_extents === 0)) {
      if (e.live_extents > 0) problems.push(`${e.id} is released but the database still counts ${e.live_extents} live extent(s)`);
      if (region !== undefined || extents.length > 0 || onDevices.has(e.id)) problems.push(`${e.id} is ${e.state} but the simulator still holds ${region === undefined ? '' : `a ${region.state} region, `}${extents.length} host extent(s)${onDevices.has(e.id) ? ' and device extents' : ''}`);
    }
  }
  return problems;
}
