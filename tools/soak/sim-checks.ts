import type { DeviceStateView, HostStateView, SimulatorControl } from '@mxs/host-agent';
import type { CheckResult } from './check-result';
import { Check, mapLimited } from './check-result';
import type { DbState } from './db-state';
import { groupBy } from './db-state';

/** What the simulator says, read host by host and device by device. */
export interface SimState {
  readonly hosts: ReadonlyMap<string, HostStateView>;
  readonly devices: ReadonlyMap<string, DeviceStateView>;
  /** Hosts or devices whose state could not be read (with why). */
  readonly unread: readonly string[];
  /** Counts of once-only effects, by `expansionId kind deviceId?`. */
  readonly effects: ReadonlyMap<string, number>;
  /** Set when the event log had already dropped its oldest events. */
  readonly eventLogNote?: string;
}

/** Effects the simulator logs once per call that applies them; a count past what the sagas explain is a step run twice. */
const ONCE_PER_SAGA = ['extents-offered', 'extents-accepted', 'region-onlined', 'region-offlined', 'region-destroyed', 'vm-plugged', 'vm-unplugged', 'extents-freed', 'expansion-lost'] as const;

export async function readSimState(sim: SimulatorControl, hostIds: readonly string[], deviceIds: readonly string[]): Promise<SimState> {
  const unread: string[] = [];
  const reason = (error: unknown): string => (error instanceof Error ? error.message : String(error));
  const hosts = await mapLimited(hostIds, 16, (id) => sim.host(id).catch((error: unknown) => void unread.push(`host ${id}: ${reason(error)}`)));
  const devices = await mapLimited(deviceIds, 16, (id) => sim.device(id).catch((error: unknown) => void unread.push(`device ${id}: ${reason(error)}`)));
  const effects = new Map<string, number>();
  for (const kind of ONCE_PER_SAGA) {
    let since = 0;
    for (;;) {
      const page = await sim.events({ kind, since, limit: 100_000 });
      for (const e of page.events) {
        const key = `${e.expansionId ?? '-'} ${kind}${kind === 'extents-offered' || kind === 'extents-freed' ? ` ${e.deviceId ?? '-'}` : ''}`;
        effects.set(key, (effects.get(key) ?? 0) + 1);
      }
      const last = page.events.at(-1);
      if (last === undefined || page.events.length < 100_000) break;
      since = last.seq;
    }
  }
  const first = (await sim.events({ limit: 1 })).events[0];
  const eventLogNote = first !== undefined && first.seq > 1 ? `the simulator's event log starts at event ${first.seq}: effects before it were not counted` : undefined;
  return {
    hosts: new Map(hosts.flatMap((h) => (h === undefined ? [] : [[h.hostId, h] as const]))),
    devices: new Map(devices.flatMap((d) => (d === undefined ? [] : [[d.deviceId, d] as const]))),
    unread,
    effects,
    ...(eventLogNote === undefined ? {} : { eventLogNote }),
  };
}

/** DB vs simulator, to the GiB: VM sizes, each active expansion's region and plug, extents both ways, free space per device, effects once. */
export function simChecks(db: DbState, sim: SimState): CheckResult[] {
  return [vmSizes(db, sim), expansionsOnHosts(db, sim), extents(db, sim), freeCapacity(db, sim), effectsOnce(db, sim)];
}

/** For every VM: the GiB of its active expansions = the simulator's requested and plugged size (the simulator reports only the CXL part, no DRAM). */
function vmSizes(db: DbState, sim: SimState): CheckResult {
  const check = new Check('vm size: database active GiB = simulator requested = plugged', 'the simulator reports a VM\'s virtio-mem size over its DRAM baseline, so the baseline is 0 on its side');
  for (const u of sim.unread) check.fail(`unreadable: ${u}`);
  const activeGiB = new Map<string, number>();
  for (const x of db.expansions) if (x.state === 'active') activeGiB.set(`${x.hostId}/${x.vmId}`, (activeGiB.get(`${x.hostId}/${x.vmId}`) ?? 0) + x.sizeGiB);
  const simVms = new Map<string, { requestedGiB: number; pluggedGiB: number }>();
  for (const host of sim.hosts.values()) for (const vm of host.vms) simVms.set(`${host.hostId}/${vm.vmId}`, vm);
  for (const key of new Set([...activeGiB.keys(), ...simVms.keys()])) {
    const dbGiB = activeGiB.get(key) ?? 0;
    const vm = simVms.get(key) ?? { requestedGiB: 0, pluggedGiB: 0 };
    if (dbGiB === 0 && vm.requestedGiB === 0 && vm.pluggedGiB === 0) continue;
    check.compare(dbGiB === vm.requestedGiB && dbGiB === vm.pluggedGiB ? null : `VM ${key}: database active ${dbGiB} GiB, simulator requested ${vm.requestedGiB} GiB, plugged ${vm.pluggedGiB} GiB`);
  }
  return check.result();
}

/** Every active expansion has an online region and a VM share of its size on its host; every region and share belongs to an active one. */
function expansionsOnHosts(db: DbState, sim: SimState): CheckResult {
  const check = new Check('expansion on its host: database active = simulator region online + VM share');
  const byId = new Map(db.expansions.map((x) => [x.id, x]));
  for (const x of db.expansions) {
    if (x.state !== 'active') continue;
    const host = sim.hosts.get(x.hostId);
    const region = host?.regions.find((r) => r.expansionId === x.id);
    const share = host?.vms.find((v) => v.vmId === x.vmId)?.expansions[x.id];
    const problems: string[] = [];
    if (region === undefined) problems.push('no region');
    else if (region.state !== 'online' || region.sizeGiB !== x.sizeGiB) problems.push(`region ${region.state} ${region.sizeGiB} GiB`);
    if (share !== x.sizeGiB) problems.push(`VM ${x.vmId} share ${share ?? 'missing'}`);
    check.compare(problems.length === 0 ? null : `active ${x.id} (${x.sizeGiB} GiB on ${x.hostId}): ${problems.join(', ')}`);
  }
  for (const host of sim.hosts.values()) {
    const held = [...host.regions.map((r) => ({ id: r.expansionId, what: `region (${r.state})` })), ...host.vms.flatMap((v) => Object.keys(v.expansions).map((id) => ({ id, what: `VM ${v.vmId} share` })))];
    for (const h of held) {
      const x = byId.get(h.id);
      if (x === undefined || x.state !== 'active') check.compare(`${host.hostId} holds a ${h.what} of ${h.id}, which the database has as ${x?.state ?? 'unknown'}${x?.reason ? ` (${x.reason})` : ''}`);
    }
  }
  return check.result();
}

/** Every live extent in the database is on its device in the simulator for its host, and the simulator holds nothing else. */
function extents(db: DbState, sim: SimState): CheckResult {
  const check = new Check('extents: database live = simulator held, both ways');
  const hostOf = new Map(db.expansions.map((x) => [x.id, x]));
  const key = (e: { deviceId: string; offsetGiB: number; sizeGiB: number; expansionId: string }, hostId: string | undefined): string =>
    `${e.deviceId} [${e.offsetGiB},${e.offsetGiB + e.sizeGiB}) GiB of ${e.expansionId} on ${hostId ?? '?'}`;
  const atSim = new Map<string, string>();
  for (const d of sim.devices.values()) for (const e of d.extents) atSim.set(key(e, e.hostId), e.state);
  const inDb = new Set<string>();
  for (const e of db.liveExtents) {
    const x = hostOf.get(e.expansionId);
    const k = key(e, x?.hostId);
    inDb.add(k);
    const state = atSim.get(k);
    if (state === undefined) check.compare(`leak: the database holds ${k} (expansion ${x?.state ?? 'unknown'}), the simulator does not`);
    else check.compare(x?.state === 'active' && state !== 'accepted' ? `${k}: active in the database, ${state} in the simulator` : null);
  }
  for (const [k, state] of atSim) if (!inDb.has(k)) check.compare(`orphan: the simulator holds ${k} (${state}), the database has no live extent there`);
  return check.result();
}

function freeCapacity(db: DbState, sim: SimState): CheckResult {
  const check = new Check('free capacity per device: database = simulator');
  const dbUsed = new Map<string, number>();
  for (const e of db.liveExtents) dbUsed.set(e.deviceId, (dbUsed.get(e.deviceId) ?? 0) + e.sizeGiB);
  for (const d of db.devices) {
    const simDevice = sim.devices.get(d.id);
    if (simDevice === undefined) {
      check.compare(`device ${d.id}: not read from the simulator`);
      continue;
    }
    const dbFree = d.capacityGiB - (dbUsed.get(d.id) ?? 0);
    const simFree = d.capacityGiB - simDevice.extents.reduce((sum, e) => sum + e.sizeGiB, 0);
    check.compare(dbFree === simFree ? null : `device ${d.id}: ${dbFree} GiB free in the database, ${simFree} GiB in the simulator`);
  }
  return check.result();
}

/** No saga step applied twice: each once-only effect at most as often as the expansion's sagas can explain. */
function effectsOnce(db: DbState, sim: SimState): CheckResult {
  const check = new Check('saga effects applied once (simulator event log)', sim.eventLogNote);
  const operations = groupBy(db.operations, (o) => o.expansionId);
  const counted = groupBy([...sim.effects], ([k]) => k.split(' ')[0] as string);
  for (const x of db.expansions) {
    const ops = operations.get(x.id) ?? [];
    // A rollback re-onlines and re-plugs, an undone hot-add unplugs and offlines: once per saga at most.
    const perSaga = ops.filter((o) => o.state !== 'superseded').length;
    for (const [k, n] of counted.get(x.id) ?? []) {
      const kind = k.split(' ')[1] as (typeof ONCE_PER_SAGA)[number];
      const allowed = ['region-onlined', 'vm-plugged', 'vm-unplugged', 'region-offlined'].includes(kind) ? perSaga : 1;
      check.compare(n <= allowed ? null : `${k}: ${n} times for ${perSaga} saga(s) (${ops.map((o) => `${o.kind} ${o.state} ×${o.attempts}`).join(', ')})`);
    }
  }
  const known = new Set(db.expansions.map((x) => x.id));
  for (const [id] of counted) if (!known.has(id)) check.fail(`the simulator applied effects for ${id}, which the database does not know`);
  return check.result();
}
