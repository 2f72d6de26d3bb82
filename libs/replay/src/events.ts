import type { Trace, TraceExpansion, TraceVm } from './trace';

/**
 * What happens at one moment of a replay. At the same second, capacity is freed before it is
 * asked for: releases, then departures, then arrivals, then requests; file order breaks ties.
 */
export type TraceEvent =
  | { readonly kind: 'release'; readonly atSec: number; readonly expansion: TraceExpansion }
  | { readonly kind: 'depart'; readonly atSec: number; readonly vm: TraceVm }
  | { readonly kind: 'arrive'; readonly atSec: number; readonly vm: TraceVm }
  | { readonly kind: 'request'; readonly atSec: number; readonly expansion: TraceExpansion };

const ORDER: Record<TraceEvent['kind'], number> = { release: 0, depart: 1, arrive: 2, request: 3 };

/**
 * When an expansion gives its memory back: its own release, or its VM's departure if that comes
 * first; `null` when neither happens within the trace.
 */
export function effectiveReleaseSec(expansion: TraceExpansion, vm: TraceVm): number | null {
  const ends = [expansion.releaseSec, vm.departureSec].filter((t): t is number => t !== null);
  return ends.length === 0 ? null : Math.min(...ends);
}

/** Every event of the trace in the order a replay applies them. */
export function traceEvents(trace: Trace): TraceEvent[] {
  const vms = new Map(trace.vms.map((vm) => [vm.vmId, vm]));
  const events: { event: TraceEvent; seq: number }[] = [];
  let seq = 0;
  const push = (event: TraceEvent): void => {
    events.push({ event, seq: seq++ });
  };
  for (const vm of trace.vms) {
    push({ kind: 'arrive', atSec: vm.arrivalSec, vm });
    if (vm.departureSec !== null) push({ kind: 'depart', atSec: vm.departureSec, vm });
  }
  for (const expansion of trace.expansions) {
    const vm = vms.get(expansion.vmId);
    if (vm === undefined) throw new Error(`expansion ${expansion.id} names unknown vm ${expansion.vmId}`);
    push({ kind: 'request', atSec: expansion.atSec, expansion });
    const releaseSec = effectiveReleaseSec(expansion, vm);
    if (releaseSec !== null) push({ kind: 'release', atSec: releaseSec, expansion });
  }
  events.sort((a, b) => a.event.atSec - b.event.atSec || ORDER[a.event.kind] - ORDER[b.event.kind] || a.seq - b.seq);
  return events.map((e) => e.event);
}
