/// <reference types="jest" />
import fc from 'fast-check';
import { RatingError } from './money';
import type { Tier } from './money';
import { usageIntervals } from './usage-intervals';
import type { MeteredEvent, UsageEventType } from './usage-intervals';

let nextId = 0;
function event(
  type: UsageEventType,
  atMs: number,
  sizeGiB = 64,
  tier: Tier = 'direct',
  eventId = `e${(nextId += 1)}`,
): MeteredEvent {
  return { eventId, type, atMs, sizeGiB, tier };
}

const activated = (atMs: number, sizeGiB = 64, tier: Tier = 'direct') =>
  event('expansion.activated', atMs, sizeGiB, tier);

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof RatingError) return error.code;
    throw error;
  }
  return undefined;
}

describe('usageIntervals', () => {
  it('is empty with no events or without an activation', () => {
    expect(usageIntervals([])).toEqual([]);
    expect(
      usageIntervals([event('expansion.resized', 1000, 128), event('expansion.degraded', 2000)]),
    ).toEqual([]);
  });

  it('leaves the interval of an active expansion open, at the activation tier and size', () => {
    expect(usageIntervals([activated(10_500, 32, 'pooled')])).toEqual([
      { kind: 'charged', tier: 'pooled', sizeGiB: 32, startSec: 10, endSec: null },
    ]);
  });

  it('closes at release and ignores everything after it', () => {
    const events = [
      activated(1000),
      event('expansion.released', 61_999),
      event('expansion.activated', 70_000),
      event('expansion.resized', 80_000, 128),
    ];
    expect(usageIntervals(events)).toEqual([
      { kind: 'charged', tier: 'direct', sizeGiB: 64, startSec: 1, endSec: 61 },
    ]);
  });

  it('ignores events before the activation', () => {
    const events = [
      event('expansion.degraded', 500),
      activated(5000),
      event('expansion.released', 9000),
    ];
    expect(usageIntervals(events)).toEqual([
      { kind: 'charged', tier: 'direct', sizeGiB: 64, startSec: 5, endSec: 9 },
    ]);
  });

  it('turns degraded time into its own interval and back', () => {
    const events = [
      activated(0),
      event('expansion.degraded', 100_000),
      event('expansion.restored', 160_000),
      event('expansion.released', 200_000),
    ];
    expect(usageIntervals(events)).toEqual([
      { kind: 'charged', tier: 'direct', sizeGiB: 64, startSec: 0, endSec: 100 },
      { kind: 'degraded', tier: 'direct', sizeGiB: 64, startSec: 100, endSec: 160 },
      { kind: 'charged', tier: 'direct', sizeGiB: 64, startSec: 160, endSec: 200 },
    ]);
  });

  it('ignores degraded twice, restored while charged and a second activation', () => {
    const events = [
      activated(0, 64),
      event('expansion.restored', 10_000),
      event('expansion.activated', 20_000, 512, 'pooled'),
      event('expansion.degraded', 30_000),
      event('expansion.degraded', 40_000),
      event('expansion.restored', 50_000),
    ];
    expect(usageIntervals(events)).toEqual([
      { kind: 'charged', tier: 'direct', sizeGiB: 64, startSec: 0, endSec: 30 },
      { kind: 'degraded', tier: 'direct', sizeGiB: 64, startSec: 30, endSec: 50 },
      { kind: 'charged', tier: 'direct', sizeGiB: 64, startSec: 50, endSec: null },
    ]);
  });

  it('splits at a resize, keeping the kind, and keeps the activation tier', () => {
    const events = [
      activated(0, 64, 'pooled'),
      event('expansion.resized', 10_000, 128, 'direct'),
      event('expansion.degraded', 20_000),
      event('expansion.resized', 30_000, 32),
      event('expansion.released', 40_000),
    ];
    expect(usageIntervals(events)).toEqual([
      { kind: 'charged', tier: 'pooled', sizeGiB: 64, startSec: 0, endSec: 10 },
      { kind: 'charged', tier: 'pooled', sizeGiB: 128, startSec: 10, endSec: 20 },
      { kind: 'degraded', tier: 'pooled', sizeGiB: 128, startSec: 20, endSec: 30 },
      { kind: 'degraded', tier: 'pooled', sizeGiB: 32, startSec: 30, endSec: 40 },
    ]);
  });

  it('does nothing on a resize to 0 or to the same size', () => {
    const events = [
      activated(0, 64),
      event('expansion.resized', 10_000, 0),
      event('expansion.resized', 20_000, 64),
      event('expansion.released', 30_000),
    ];
    expect(usageIntervals(events)).toEqual([
      { kind: 'charged', tier: 'direct', sizeGiB: 64, startSec: 0, endSec: 30 },
    ]);
  });

  it('bills whole seconds and drops intervals that start and end in the same second', () => {
    const events = [
      activated(1_100),
      event('expansion.degraded', 1_900),
      event('expansion.restored', 3_999),
      event('expansion.resized', 4_000, 128),
      event('expansion.released', 4_999),
    ];
    // Charged [1,1) is dropped but the expansion is still degraded from second 1.
    expect(usageIntervals(events)).toEqual([
      { kind: 'degraded', tier: 'direct', sizeGiB: 64, startSec: 1, endSec: 3 },
      { kind: 'charged', tier: 'direct', sizeGiB: 64, startSec: 3, endSec: 4 },
    ]);
  });

  it('orders events of the same millisecond by type rank, then eventId', () => {
    const sameMs = [
      event('expansion.released', 5000, 64, 'direct', 'a'),
      event('expansion.resized', 5000, 128, 'direct', 'b'),
      event('expansion.restored', 5000, 64, 'direct', 'c'),
      event('expansion.degraded', 5000, 64, 'direct', 'd'),
      event('expansion.resized', 5000, 256, 'direct', 'e'),
    ];
    // degraded, restored, resized b, resized e, released: all in second 5, so nothing but [0,5).
    expect(usageIntervals([activated(0), ...sameMs])).toEqual([
      { kind: 'charged', tier: 'direct', sizeGiB: 64, startSec: 0, endSec: 5 },
    ]);
    const resizes = [
      event('expansion.resized', 5000, 256, 'direct', 'z'),
      event('expansion.resized', 5000, 128, 'direct', 'y'),
    ];
    // y then z: the open interval ends at 256 GiB whatever the array order.
    expect(usageIntervals([activated(0), ...resizes]).at(-1)).toEqual({
      kind: 'charged',
      tier: 'direct',
      sizeGiB: 256,
      startSec: 5,
      endSec: null,
    });
  });

  it('counts a repeated eventId once and refuses two different events under one id', () => {
    const start = event('expansion.activated', 0, 64, 'direct', 'same');
    const release = event('expansion.released', 9000, 64, 'direct', 'rel');
    const once = usageIntervals([start, release]);
    expect(usageIntervals([start, release, start, release])).toEqual(once);
    expect(once).toHaveLength(1);
    const clash = event('expansion.degraded', 3000, 64, 'direct', 'same');
    expect(codeOf(() => usageIntervals([start, clash]))).toBe('invalid-input');
  });

  it.each([
    ['a negative atMs', { atMs: -1 }],
    ['a fractional atMs', { atMs: 1.5 }],
    ['an unsafe atMs', { atMs: 2 ** 53 }],
    ['a negative size', { sizeGiB: -64 }],
    ['a fractional size', { sizeGiB: 0.5 }],
    ['an empty eventId', { eventId: '' }],
    ['an unknown type', { type: 'expansion.exploded' }],
    ['an unknown tier', { tier: 'gold' }],
  ])('refuses %s', (_label, patch) => {
    const bad = { ...activated(0), ...patch } as MeteredEvent;
    expect(codeOf(() => usageIntervals([bad]))).toBe('invalid-input');
  });
});

const TYPES: readonly UsageEventType[] = [
  'expansion.activated',
  'expansion.resized',
  'expansion.degraded',
  'expansion.restored',
  'expansion.released',
];

const eventsArbitrary = fc.uniqueArray(
  fc.record({
    eventId: fc.string({ minLength: 1, maxLength: 3 }),
    type: fc.constantFrom(...TYPES),
    // A narrow range so that equal seconds and equal milliseconds are common.
    atMs: fc.integer({ min: 0, max: 6000 }),
    sizeGiB: fc.constantFrom(0, 32, 64, 128),
    tier: fc.constantFrom<Tier>('direct', 'pooled'),
  }),
  { selector: (e) => e.eventId, maxLength: 12 },
);

describe('usageIntervals properties', () => {
  it('depends only on the set of distinct events', () => {
    fc.assert(
      fc.property(
        eventsArbitrary.chain((events) =>
          fc.tuple(
            fc.constant(events),
            fc.shuffledSubarray([...events, ...events], { minLength: events.length * 2 }),
            fc.array(fc.nat(), { maxLength: 5 }),
          ),
        ),
        ([events, shuffledTwice, extraPicks]) => {
          const extras =
            events.length === 0 ? [] : extraPicks.map((i) => events[i % events.length]);
          const stored = [...shuffledTwice, ...extras].filter((e) => e !== undefined);
          expect(usageIntervals(stored)).toEqual(usageIntervals(events));
        },
      ),
    );
  });

  it('yields ordered, disjoint, non-empty intervals with only the last one open', () => {
    fc.assert(
      fc.property(eventsArbitrary, (events) => {
        const intervals = usageIntervals(events);
        intervals.forEach((interval, i) => {
          const next = intervals[i + 1];
          if (next === undefined) return;
          expect(interval.endSec).not.toBeNull();
          expect(interval.endSec ?? Infinity).toBeGreaterThan(interval.startSec);
          expect(next.startSec).toBeGreaterThanOrEqual(interval.endSec ?? Infinity);
        });
      }),
    );
  });
});
