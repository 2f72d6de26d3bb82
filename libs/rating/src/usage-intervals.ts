import { RatingError, TIERS } from './money';
import type { Tier } from './money';

export type UsageEventType =
  | 'expansion.activated'
  | 'expansion.resized'
  | 'expansion.degraded'
  | 'expansion.restored'
  | 'expansion.released';

/** One stored usage event of an expansion, as billing receives it (possibly more than once). */
export interface MeteredEvent {
  readonly eventId: string;
  readonly type: UsageEventType;
  readonly atMs: number;
  readonly sizeGiB: number;
  readonly tier: Tier;
}

/** Whole seconds `[startSec, endSec)` at one size; `endSec` is `null` while still open. */
export interface MeteredInterval {
  readonly kind: 'charged' | 'degraded';
  readonly tier: Tier;
  readonly sizeGiB: number;
  readonly startSec: number;
  readonly endSec: number | null;
}

// Within one millisecond, state changes apply before a resize and a release comes last.
const TYPE_RANK: Readonly<Record<UsageEventType, number>> = Object.freeze({
  'expansion.activated': 0,
  'expansion.degraded': 1,
  'expansion.restored': 2,
  'expansion.resized': 3,
  'expansion.released': 4,
});

function invalidEvent(event: MeteredEvent, message: string): RatingError {
  return new RatingError('invalid-input', `event '${String(event.eventId)}': ${message}`);
}

function assertEvent(event: MeteredEvent): void {
  if (typeof event.eventId !== 'string' || event.eventId === '') {
    throw invalidEvent(event, 'eventId must be a non-empty string');
  }
  if (!Object.hasOwn(TYPE_RANK, event.type)) {
    throw invalidEvent(event, `unknown type '${String(event.type)}'`);
  }
  if (!Number.isSafeInteger(event.atMs) || event.atMs < 0) {
    throw invalidEvent(event, `atMs must be a whole number >= 0, got ${event.atMs}`);
  }
  if (!Number.isSafeInteger(event.sizeGiB) || event.sizeGiB < 0) {
    throw invalidEvent(event, `sizeGiB must be a whole number >= 0, got ${event.sizeGiB}`);
  }
  if (!TIERS.includes(event.tier)) {
    throw invalidEvent(event, `unknown tier '${String(event.tier)}'`);
  }
}

function sameEvent(a: MeteredEvent, b: MeteredEvent): boolean {
  return a.type === b.type && a.atMs === b.atMs && a.sizeGiB === b.sizeGiB && a.tier === b.tier;
}

/** One event per eventId; two different events under one id are corrupt data, not a retry. */
function distinctEvents(events: readonly MeteredEvent[]): MeteredEvent[] {
  const byId = new Map<string, MeteredEvent>();
  for (const event of events) {
    assertEvent(event);
    const seen = byId.get(event.eventId);
    if (seen !== undefined && !sameEvent(seen, event)) {
      throw invalidEvent(event, 'two different events share this eventId');
    }
    byId.set(event.eventId, event);
  }
  return [...byId.values()];
}

function compareEvents(a: MeteredEvent, b: MeteredEvent): number {
  if (a.atMs !== b.atMs) return a.atMs - b.atMs;
  const byRank = TYPE_RANK[a.type] - TYPE_RANK[b.type];
  if (byRank !== 0) return byRank;
  // Code-unit order, not localeCompare: the result must not depend on the host's locale.
  if (a.eventId === b.eventId) return 0;
  return a.eventId < b.eventId ? -1 : 1;
}

interface OpenInterval {
  readonly kind: MeteredInterval['kind'];
  readonly tier: Tier;
  readonly sizeGiB: number;
  readonly startSec: number;
}

/**
 * The charged and degraded intervals of one expansion, from its events in any order and with
 * any duplicates: the answer depends only on the set of distinct events.
 */
export function usageIntervals(events: readonly MeteredEvent[]): MeteredInterval[] {
  const ordered = distinctEvents(events).sort(compareEvents);
  const intervals: MeteredInterval[] = [];
  let open: OpenInterval | null = null;
  let activated = false;

  const close = (endSec: number): void => {
    // A zero-length interval bills nothing and would only clutter the invoice.
    if (open !== null && endSec > open.startSec) intervals.push({ ...open, endSec });
    open = null;
  };

  for (const event of ordered) {
    const sec = Math.floor(event.atMs / 1000);
    const current: OpenInterval | null = open;
    if (current === null) {
      if (activated) break; // released: nothing after it counts
      if (event.type !== 'expansion.activated') continue;
      activated = true;
      open = { kind: 'charged', tier: event.tier, sizeGiB: event.sizeGiB, startSec: sec };
      continue;
    }
    switch (event.type) {
      case 'expansion.activated':
        break;
      case 'expansion.degraded':
        if (current.kind === 'charged') {
          close(sec);
          open = { ...current, kind: 'degraded', startSec: sec };
        }
        break;
      case 'expansion.restored':
        if (current.kind === 'degraded') {
          close(sec);
          open = { ...current, kind: 'charged', startSec: sec };
        }
        break;
      case 'expansion.resized':
        if (event.sizeGiB !== 0 && event.sizeGiB !== current.sizeGiB) {
          close(sec);
          open = { ...current, sizeGiB: event.sizeGiB, startSec: sec };
        }
        break;
      case 'expansion.released':
        close(sec);
        break;
    }
  }

  const last: OpenInterval | null = open;
  if (last !== null) intervals.push({ ...last, endSec: null });
  return intervals;
}
