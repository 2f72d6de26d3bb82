import { canTransition } from '@mxs/contracts';
import type { ExpansionState } from '@mxs/contracts';
import type { CheckResult } from './check-result';
import { Check } from './check-result';
import type { DbState } from './db-state';
import { groupBy } from './db-state';

/** PostgreSQL on its own: extents never overlap or overfill a device, counters add up, every timeline is one clean chain. */
export function dbChecks(db: DbState): CheckResult[] {
  return [noOverlap(db), noOverCommit(db), counters(db), timelines(db)];
}

function noOverlap(db: DbState): CheckResult {
  const check = new Check('database: no two live extents overlap');
  for (const [deviceId, extents] of groupBy(db.liveExtents, (e) => e.deviceId)) {
    const sorted = [...extents].sort((a, b) => a.offsetGiB - b.offsetGiB);
    sorted.forEach((e, i) => {
      const previous = sorted[i - 1];
      const overlaps = previous !== undefined && e.offsetGiB < previous.offsetGiB + previous.sizeGiB;
      check.compare(
        overlaps ? `${deviceId}: [${e.offsetGiB},${e.offsetGiB + e.sizeGiB}) of ${e.expansionId} overlaps [${previous.offsetGiB},${previous.offsetGiB + previous.sizeGiB}) of ${previous.expansionId}` : null,
      );
    });
  }
  return check.result();
}

function noOverCommit(db: DbState): CheckResult {
  const check = new Check('database: no device over-committed');
  const used = groupBy(db.liveExtents, (e) => e.deviceId);
  for (const d of db.devices) {
    const extents = used.get(d.id) ?? [];
    const usedGiB = extents.reduce((sum, e) => sum + e.sizeGiB, 0);
    const outside = extents.filter((e) => e.offsetGiB < 0 || e.offsetGiB + e.sizeGiB > d.capacityGiB);
    const problems = [
      ...(usedGiB > d.capacityGiB ? [`${usedGiB} GiB live on ${d.capacityGiB} GiB`] : []),
      ...outside.map((e) => `[${e.offsetGiB},${e.offsetGiB + e.sizeGiB}) of ${e.expansionId} is outside it`),
    ];
    check.compare(problems.length === 0 ? null : `${d.id}: ${problems.join('; ')}`);
  }
  return check.result();
}

/** A tenant's quota use and a host's mapped GiB = the size of its expansions that still hold live extents. */
function counters(db: DbState): CheckResult {
  const check = new Check('database: tenant used GiB and host mapped GiB = expansions holding live extents');
  const holding = new Set(db.liveExtents.map((e) => e.expansionId));
  const tenantGiB = new Map<string, number>();
  const hostGiB = new Map<string, number>();
  for (const x of db.expansions) {
    if (!holding.has(x.id)) continue;
    tenantGiB.set(x.tenantId, (tenantGiB.get(x.tenantId) ?? 0) + x.sizeGiB);
    hostGiB.set(x.hostId, (hostGiB.get(x.hostId) ?? 0) + x.sizeGiB);
  }
  for (const t of db.tenants) check.compare(t.usedGiB === (tenantGiB.get(t.id) ?? 0) ? null : `tenant ${t.id}: used_gib ${t.usedGiB}, expansions holding extents ${tenantGiB.get(t.id) ?? 0} GiB`);
  for (const h of db.hosts) check.compare(h.mappedGiB === (hostGiB.get(h.id) ?? 0) ? null : `host ${h.id}: mapped_gib ${h.mappedGiB}, expansions holding extents ${hostGiB.get(h.id) ?? 0} GiB`);
  return check.result();
}

/** Moves a saga makes once per expansion: recorded twice means a step ran twice. */
const ONCE: readonly string[] = ['null>requested', 'requested>placed', 'placed>attaching', 'attaching>active', 'detaching>released'];

/**
 * Every expansion's transitions are one chain (each starts where the last ended, by an allowed
 * move, and the last is its state), once-only moves appear once, it has one hot-add operation,
 * and its usage events in the outbox have at most one activation and one release.
 */
function timelines(db: DbState): CheckResult {
  const check = new Check('database: every timeline one chain, no saga step recorded twice');
  const transitions = groupBy(db.transitions, (t) => t.expansionId);
  const operations = groupBy(db.operations, (o) => o.expansionId);
  const usage = groupBy(db.usageEvents, (u) => u.expansionId);
  for (const x of db.expansions) {
    const chain = transitions.get(x.id) ?? [];
    const problems: string[] = [];
    let at: ExpansionState | null = null;
    const seen = new Map<string, number>();
    for (const t of chain) {
      if (t.from !== at) problems.push(`${t.from ?? 'null'}→${t.to} after ${at ?? 'nothing'}`);
      else if (t.from !== null && !canTransition(t.from, t.to)) problems.push(`${t.from}→${t.to} is not an allowed move`);
      const move = `${t.from ?? 'null'}>${t.to}`;
      seen.set(move, (seen.get(move) ?? 0) + 1);
      at = t.to;
    }
    for (const [move, n] of seen) if (n > 1 && ONCE.includes(move)) problems.push(`${move.replace('>', '→')} recorded ${n} times`);
    if (at !== x.state) problems.push(`timeline ends at ${at ?? 'nothing'}, expansion is ${x.state}`);
    const hotAdds = (operations.get(x.id) ?? []).filter((o) => o.kind === 'hot-add').length;
    if (hotAdds > 1) problems.push(`${hotAdds} hot-add operations`);
    const events = usage.get(x.id) ?? [];
    for (const type of ['expansion.activated', 'expansion.released'] as const) {
      const n = events.filter((e) => e.type === type).length;
      if (n > 1) problems.push(`${n} ${type} usage events`);
    }
    check.compare(problems.length === 0 ? null : `${x.id} (${x.state}): ${problems.join('; ')}`);
  }
  return check.result();
}
