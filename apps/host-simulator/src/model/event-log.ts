/**
 * Every effect the simulator applies appends exactly one event, so "no step ran twice" is a
 * count. Repeated calls that only confirm or continue append nothing. Kinds are listed in the
 * README; `detail` carries the numbers an operator would want.
 */
export type SimEventKind =
  // fabric manager, per device
  | 'extents-offered'
  | 'extents-release-started'
  | 'extents-freed'
  // host agent
  | 'extents-accepted'
  | 'region-onlining-started'
  | 'region-onlined'
  | 'region-online-failed'
  | 'region-offline-busy'
  | 'region-offlining-started'
  | 'region-offlined'
  | 'region-destroyed'
  // guest (virtio-mem)
  | 'vm-plug-started'
  | 'vm-plugged'
  | 'vm-unplug-started'
  | 'vm-unplug-retried'
  | 'vm-unplug-stopped-short'
  | 'vm-unplugged'
  // a forced release took the region and the VM's share away at once
  | 'expansion-lost'
  // control
  | 'fault-injected'
  | 'fleet-loaded'
  | 'state-loaded';

export interface SimEvent {
  readonly seq: number;
  /** When it happened on the simulated host or device, ISO 8601 (a step's end, not when it was noticed). */
  readonly at: string;
  readonly kind: SimEventKind;
  readonly hostId?: string;
  readonly deviceId?: string;
  readonly expansionId?: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface EventFilter {
  readonly expansionId?: string | undefined;
  readonly hostId?: string | undefined;
  readonly deviceId?: string | undefined;
  readonly kind?: string | undefined;
  readonly since?: number | undefined;
  readonly limit?: number | undefined;
}

export class EventLog {
  private events: SimEvent[] = [];
  private nextSeq = 1;

  constructor(private readonly limit: number) {}

  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  append(
    atMs: number,
    kind: SimEventKind,
    ids: { hostId?: string | undefined; deviceId?: string | undefined; expansionId?: string | undefined },
    detail: Record<string, unknown> = {},
  ): SimEvent {
    const event: SimEvent = {
      seq: this.nextSeq++,
      at: new Date(atMs).toISOString(),
      kind,
      ...(ids.hostId === undefined ? {} : { hostId: ids.hostId }),
      ...(ids.deviceId === undefined ? {} : { deviceId: ids.deviceId }),
      ...(ids.expansionId === undefined ? {} : { expansionId: ids.expansionId }),
      detail,
    };
    this.events.push(event);
    // Trim in batches: one splice per many appends keeps appending O(1) amortised.
    if (this.events.length > this.limit * 1.25) this.events = this.events.slice(this.events.length - this.limit);
    return event;
  }

  /** Oldest first. `since` skips straight to its position: sequence numbers are dense. */
  list(filter: EventFilter = {}): SimEvent[] {
    const out: SimEvent[] = [];
    const first = this.events[0]?.seq ?? this.nextSeq;
    const start = Math.max(0, (filter.since ?? 0) + 1 - first);
    const limit = filter.limit ?? Infinity;
    for (let i = start; i < this.events.length && out.length < limit; i++) {
      const e = this.events[i] as SimEvent;
      if (filter.expansionId !== undefined && e.expansionId !== filter.expansionId) continue;
      if (filter.hostId !== undefined && e.hostId !== filter.hostId) continue;
      if (filter.deviceId !== undefined && e.deviceId !== filter.deviceId) continue;
      if (filter.kind !== undefined && e.kind !== filter.kind) continue;
      out.push(e);
    }
    return out;
  }

  toJSON(): { nextSeq: number; events: SimEvent[] } {
    return { nextSeq: this.nextSeq, events: this.events };
  }

  static restore(limit: number, saved: { nextSeq: number; events: SimEvent[] }): EventLog {
    const log = new EventLog(limit);
    log.nextSeq = saved.nextSeq;
    log.events = saved.events;
    return log;
  }
}
