import type { UsageEventType } from '@mxs/contracts';
import type { BillingInterval } from './billing-read';
import type { CheckResult } from './check-result';
import { Check } from './check-result';
import type { DbExpansion, DbState, DbTransition, DbUsageEvent } from './db-state';
import { groupBy } from './db-state';

/** A stretch of an expansion's life as the database's timeline says billing must see it. */
interface Segment {
  readonly kind: 'charged' | 'degraded';
  readonly startMs: number;
  readonly endMs: number | null;
}

/** A transition that starts or ends a billed stretch, the usage event it must have sent, and the one found. */
interface Boundary {
  readonly transition: DbTransition;
  readonly expects: UsageEventType;
  readonly event: DbUsageEvent | undefined;
}

interface Timeline {
  readonly segments: Segment[];
  readonly boundaries: Boundary[];
  readonly unpaired: DbUsageEvent[];
}

/**
 * Walks one expansion's transitions and pairs each billing boundary with its usage event, in
 * order of type. A boundary's moment is its usage event's `at` (the worker's clock when it ended
 * the step, written in the outbox in the transaction that records the transition) — billing
 * meters that field. The transition's `at` is PostgreSQL's `clock_timestamp()` inside that same
 * transaction, a few milliseconds later, so it may fall in the next second: it is checked
 * against the event within a tolerance instead. Without an event the transition's moment is used.
 */
function timelineOf(chain: readonly DbTransition[], events: readonly DbUsageEvent[]): Timeline {
  const queues = groupBy(events, (e) => e.type);
  const segments: Segment[] = [];
  const boundaries: Boundary[] = [];
  let open: { kind: Segment['kind']; startMs: number } | null = null;
  let activated = false;
  const boundary = (t: DbTransition, expects: UsageEventType): number => {
    const event = queues.get(expects)?.shift();
    boundaries.push({ transition: t, expects, event });
    return event?.atMs ?? t.atMs;
  };
  const close = (endMs: number): void => {
    if (open !== null) segments.push({ ...open, endMs });
    open = null;
  };
  for (const t of chain) {
    const openKind: Segment['kind'] | undefined = (open as { kind: Segment['kind'] } | null)?.kind;
    if (t.to === 'active' && t.from === 'attaching' && !activated) {
      activated = true;
      open = { kind: 'charged', startMs: boundary(t, 'expansion.activated') };
    } else if (t.to === 'degraded' && openKind === 'charged') {
      const atMs = boundary(t, 'expansion.degraded');
      close(atMs);
      open = { kind: 'degraded', startMs: atMs };
    } else if (t.to === 'active' && openKind === 'degraded') {
      // From degraded, or from a removal of a degraded expansion that gave up: usable again either way.
      const atMs = boundary(t, 'expansion.restored');
      close(atMs);
      open = { kind: 'charged', startMs: atMs };
    } else if ((t.to === 'released' || t.to === 'failed') && openKind !== undefined) {
      close(boundary(t, 'expansion.released'));
    }
  }
  const last = open as { kind: Segment['kind']; startMs: number } | null;
  if (last !== null) segments.push({ ...last, endMs: null });
  return { segments, boundaries, unpaired: [...queues.values()].flat() };
}

/** Billing's whole seconds: floor of each moment, zero-length stretches dropped (they bill nothing). */
function expectedIntervals(x: DbExpansion, segments: readonly Segment[]): Omit<BillingInterval, 'expansionId' | 'seq'>[] {
  return segments
    .map((s) => ({ kind: s.kind, tier: x.placedTier ?? 'direct', sizeGiB: x.sizeGiB, startSec: Math.floor(s.startMs / 1000), endSec: s.endMs === null ? null : Math.floor(s.endMs / 1000) }))
    .filter((i) => i.endSec === null || i.endSec > i.startSec);
}

const show = (i: Omit<BillingInterval, 'expansionId' | 'seq'>): string => `${i.kind} ${i.sizeGiB} GiB ${i.tier} [${i.startSec},${i.endSec ?? 'open'})`;

export interface BillingCheckOptions {
  /** Most a usage event's `at` may differ from its transition's (see timelineOf). */
  readonly skewToleranceMs: number;
}

/** DB vs billing: the usage events match the timelines, billing's intervals match them to the second, nothing counted twice. */
export function billingChecks(db: DbState, billing: readonly BillingInterval[], options: BillingCheckOptions): CheckResult[] {
  const events = groupBy(db.usageEvents, (e) => e.expansionId);
  const transitions = groupBy(db.transitions, (t) => t.expansionId);
  const billed = groupBy(billing, (i) => i.expansionId);
  const eventsCheck = new Check('usage events: one per billing boundary of the timeline, in its order, published, same GiB and tier');
  const intervalsCheck = new Check('billing intervals = database timeline, to the second');
  const onceCheck = new Check('billing: no interval counted twice, none for an expansion never active');
  let maxSkewMs = 0;
  let boundaryMoments = 0;
  const everActive = new Set<string>();
  for (const x of db.expansions) {
    const timeline = timelineOf(transitions.get(x.id) ?? [], events.get(x.id) ?? []);
    if (timeline.boundaries.length > 0) everActive.add(x.id);
    // Billing orders an expansion's events by their moments: one earlier than the boundary before it is read out of order.
    let previous: { type: UsageEventType; atMs: number } | null = null;
    for (const b of timeline.boundaries) {
      const t = b.transition;
      const where = `${x.id} ${t.from ?? 'null'}→${t.to} at ${new Date(t.atMs).toISOString()}`;
      if (b.event === undefined) {
        eventsCheck.compare(`${where}: no ${b.expects} usage event`);
        continue;
      }
      boundaryMoments++;
      const skewMs = Math.abs(b.event.atMs - t.atMs);
      maxSkewMs = Math.max(maxSkewMs, skewMs);
      const wantGiB = b.expects === 'expansion.released' ? 0 : x.sizeGiB;
      const problems = [
        ...(skewMs > options.skewToleranceMs ? [`event at ${new Date(b.event.atMs).toISOString()} is ${Math.round(skewMs)} ms off`] : []),
        ...(b.event.published ? [] : ['event never published']),
        ...(b.event.sizeGiB === wantGiB ? [] : [`event says ${b.event.sizeGiB} GiB, want ${wantGiB}`]),
        ...(b.event.tier === x.placedTier ? [] : [`event tier ${b.event.tier ?? 'null'}, placed on ${x.placedTier ?? 'null'}`]),
        ...(previous !== null && b.event.atMs < previous.atMs
          ? [`event at ${new Date(b.event.atMs).toISOString()} is before the ${previous.type} at ${new Date(previous.atMs).toISOString()} that precedes it`]
          : []),
      ];
      previous = { type: b.event.type, atMs: b.event.atMs };
      eventsCheck.compare(problems.length === 0 ? null : `${where}: ${problems.join('; ')}`);
    }
    for (const e of timeline.unpaired) eventsCheck.fail(`${x.id} (${x.state}): ${e.type} usage event ${e.eventId} at ${new Date(e.atMs).toISOString()} has no transition it belongs to`);
    if (!everActive.has(x.id)) continue;
    const expected = expectedIntervals(x, timeline.segments);
    const actual = [...(billed.get(x.id) ?? [])].sort((a, b) => a.seq - b.seq);
    const same = expected.length === actual.length && expected.every((e, i) => show(e) === show(actual[i] as BillingInterval));
    intervalsCheck.compare(same ? null : `${x.id} (${x.state}): billing ${actual.map(show).join(', ') || 'nothing'}; database ${expected.map(show).join(', ') || 'nothing'}`);
  }
  eventsCheck.addNote(`largest gap between a transition and its usage event: ${Math.round(maxSkewMs)} ms over ${boundaryMoments} boundaries (tolerance ${options.skewToleranceMs} ms)`);
  const known = new Map(db.expansions.map((x) => [x.id, x]));
  for (const [expansionId, intervals] of billed) {
    const sorted = [...intervals].sort((a, b) => a.startSec - b.startSec || a.seq - b.seq);
    sorted.forEach((i, n) => {
      const previous = sorted[n - 1];
      const x = known.get(expansionId);
      const problems = [
        ...(x === undefined ? ['unknown to the database'] : everActive.has(expansionId) ? [] : [`never active (${x.state})`]),
        ...(previous !== undefined && (previous.endSec === null || previous.endSec > i.startSec) ? [`overlaps ${show(previous)}`] : []),
      ];
      onceCheck.compare(problems.length === 0 ? null : `${expansionId} ${show(i)}: ${problems.join('; ')}`);
    });
  }
  return [eventsCheck.result(), intervalsCheck.result(), onceCheck.result()];
}

/** The tenants billing must be asked about, and the earliest second any of their usage can start. */
export function billingScope(db: DbState): { tenantIds: string[]; fromSec: number } {
  const first = db.transitions.reduce((min, t) => Math.min(min, t.atMs), Infinity);
  const tenantIds = [...new Set(db.expansions.map((x) => x.tenantId))].sort();
  return { tenantIds, fromSec: Number.isFinite(first) ? Math.floor(first / 1000) - 60 : Math.floor(Date.now() / 1000) - 3600 };
}
