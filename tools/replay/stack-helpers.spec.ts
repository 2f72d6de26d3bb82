/// <reference types="jest" />
import { formatTrace, parseTrace } from '@mxs/replay';
import { sagaEnds } from './stack-checks';
import { problemReason } from './stack-client';
import { ReplayClock, sampleTimes } from './stack-clock';
import { crc16, hashTagOf, keySlot } from './stack-key-slot';
import { denseTrace } from './stack-load';
import type { ExpansionDetail } from './stack-outcome';
import { holdOf, policyRunOf, sagasEnded, stackOutcome, timeToReadySec } from './stack-outcome';

describe('keySlot (Redis Cluster)', () => {
  it('is CRC16/XMODEM mod 16384, as the cluster specification gives it', () => {
    expect(crc16(Buffer.from('123456789'))).toBe(0x31c3);
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('bar')).toBe(5061);
  });

  it('hashes only the hash tag, when there is a non-empty one', () => {
    expect(hashTagOf('{user1000}.following')).toBe('user1000');
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    expect(keySlot('{mxs-replay-1a2b}:hotplug:wait')).toBe(keySlot('{mxs-replay-1a2b}:maintenance:meta'));
    expect(hashTagOf('foo{}{bar}')).toBe('foo{}{bar}');
    expect(hashTagOf('foo{{bar}}zap')).toBe('{bar');
    expect(hashTagOf('foo{bar}{zap}')).toBe('bar');
    expect(hashTagOf('no-tag')).toBe('no-tag');
  });
});

describe('ReplayClock', () => {
  it('at a time scale, maps wall time to trace seconds linearly, within the trace', () => {
    const clock = new ReplayClock(0.01, 1_000_000, 3_600);
    expect(clock.traceSecAt(1_000_000)).toBe(0);
    expect(clock.traceSecAt(1_000_000 + 9_000)).toBe(900);
    expect(clock.traceSecAt(999_000)).toBe(0);
    expect(clock.traceSecAt(1_000_000 + 3_600_000)).toBe(3_600);
  });

  it('at time scale 0, the trace second is the last one the replay reached by then', () => {
    const clock = new ReplayClock(0, 5_000, 100);
    clock.reached(0, 5_000);
    clock.reached(10, 5_200);
    clock.reached(10, 5_300);
    clock.reached(70, 5_900);
    expect(clock.traceSecAt(4_000)).toBe(0);
    expect(clock.traceSecAt(5_199)).toBe(0);
    expect(clock.traceSecAt(5_200)).toBe(10);
    expect(clock.traceSecAt(5_899)).toBe(10);
    expect(clock.traceSecAt(9_999)).toBe(70);
  });

  it('samples evenly over the trace, first and last second included', () => {
    expect(sampleTimes(100, 5)).toEqual([0, 25, 50, 75, 100]);
    expect(sampleTimes(100, 1)).toEqual([0, 100]);
    expect(sampleTimes(0, 10)).toEqual([0]);
  });
});

const at = (ms: number): string => new Date(ms).toISOString();

function detail(timeline: [string | null, string, number][], overrides: Partial<ExpansionDetail> = {}): ExpansionDetail {
  return { id: 'e1', state: timeline[timeline.length - 1]?.[1] ?? 'placed', sizeGiB: 64, placedTier: 'pooled', createdAt: at(1_000), timeline: timeline.map(([from, to, ms]) => ({ from, to, at: at(ms) })), ...overrides };
}

describe('what a replay reads from an expansion’s timeline', () => {
  const released = detail([[null, 'placed', 1_010], ['placed', 'attaching', 1_020], ['attaching', 'active', 1_500], ['active', 'detaching', 4_000], ['detaching', 'released', 4_100]]);

  it('time to ready: from the request to active, in wall seconds; none for one never active', () => {
    expect(timeToReadySec(released)).toBeCloseTo(0.5, 9);
    expect(timeToReadySec(detail([[null, 'placed', 1_010], ['placed', 'attaching', 1_020], ['attaching', 'failed', 1_900]]))).toBeNull();
  });

  it('the hold: active to released on the trace clock, or to the trace’s end while still held', () => {
    // One wall second per trace second, from wall ms 1,000; the trace ends at 50 s.
    const clock = new ReplayClock(1, 1_000, 50);
    expect(holdOf(released, clock)?.seconds).toBeCloseTo(3.1 - 0.5, 9);
    expect(holdOf(released, clock)?.tier).toBe('pooled');
    const held = detail([[null, 'placed', 1_010], ['attaching', 'active', 11_000]], { placedTier: 'direct' });
    expect(holdOf(held, clock)).toEqual({ tier: 'direct', sizeGiB: 64, seconds: 50 - 10 });
    expect(holdOf(detail([[null, 'placed', 1_010]]), clock)).toBeNull();
  });

  it('counts the sagas that ended inside the window: hot-adds to active or failed, hot-removes to released', () => {
    expect(sagasEnded([released], 0, 10_000)).toBe(2);
    expect(sagasEnded([released], 0, 2_000)).toBe(1);
    expect(sagasEnded([released], 4_050, 10_000)).toBe(1);
    expect(sagasEnded([detail([[null, 'placed', 1_010], ['placed', 'detaching', 1_020], ['detaching', 'released', 1_030]])], 0, 10_000)).toBe(1);
  });
});

describe('stackOutcome', () => {
  const clock = new ReplayClock(1, 0, 100);
  const outcome = stackOutcome({
    tally: { requests: 4, accepted: 2, rejected: 2, rejectionsByReason: { 'no-capacity': 2 }, vms: { arrived: 2, placed: 2, unplaced: 0 } },
    details: [
      detail([[null, 'placed', 1_000], ['placed', 'attaching', 1_000], ['attaching', 'active', 10_000], ['active', 'detaching', 40_000], ['detaching', 'released', 46_000]], { id: 'e1', sizeGiB: 100, createdAt: at(0) }),
      detail([[null, 'placed', 2_000], ['placed', 'attaching', 2_000], ['attaching', 'active', 4_000]], { id: 'e2', sizeGiB: 10, placedTier: 'direct', createdAt: at(2_000) }),
    ],
    series: [{ atSec: 50, usedGiB: 110, utilization: 0.2, strandedGiB: 4 }, { atSec: 0, usedGiB: 0, utilization: 0, strandedGiB: 0 }],
    clock,
    endMs: 50_000,
    answersByApi: { 'http://a': 3 },
    aborted: false,
  });

  it('fills the report’s run from what the replay saw', () => {
    expect(outcome).toMatchObject({ policy: 'mxs', mode: 'stack', requests: 4, accepted: 2, acceptanceRate: 0.5, peakUsedGiB: 110, wallSec: 50, sagasCompleted: 3, expansionIds: ['e1', 'e2'] });
    expect(outcome.series.map((p) => p.atSec)).toEqual([0, 50]);
    // 0 from 0 s to 50 s, 0.2 from 50 s to the trace's end at 100 s.
    expect(outcome.meanUtilization).toBeCloseTo(0.1, 9);
    expect(outcome.timeToReadySec).toMatchObject({ count: 2, p50: 2, max: 10 });
    // 100 GiB pooled from 10 s to 46 s, 10 GiB direct from 4 s to the end.
    expect(outcome.revenueByTier.pooled.gibHours).toBeCloseTo((100 * 36) / 3600, 9);
    expect(outcome.revenueByTier.direct.gibHours).toBeCloseTo((10 * 96) / 3600, 9);
  });

  it('gives the report only the run: no per-expansion ids or stack figures', () => {
    const run = policyRunOf(outcome);
    expect(Object.keys(run).sort()).toEqual(Object.keys(outcome).filter((k) => !['expansionIds', 'requestsPerSecond', 'completedSagasPerSecond', 'sagasCompleted', 'answersByApi', 'aborted'].includes(k)).sort());
    expect(run).toMatchObject({ accepted: 2, peakUsedGiB: 110 });
  });
});

describe('sagaEnds', () => {
  it('reads the operation ids a worker logged as ended, and nothing else', () => {
    const lines = [
      JSON.stringify({ level: 30, msg: 'hot-add done', operationId: 'op-1' }),
      JSON.stringify({ level: 40, msg: 'hot-remove failed', operationId: 'op-2' }),
      JSON.stringify({ level: 30, msg: 'hot-add superseded', operationId: 'op-3' }),
      JSON.stringify({ level: 40, msg: 'hotplug job failed: boom', operationId: 'op-4' }),
      'not json',
      '{"msg":"hot-add done","operationId":"op-5"', // cut short by a kill
    ];
    expect(sagaEnds(lines.join('\n'))).toEqual(['op-1', 'op-2', 'op-3']);
  });
});

describe('problemReason', () => {
  it('takes the engine’s rejection code, else the problem’s slug, else the status', () => {
    const reply = (status: number, body: unknown) => ({ status, headers: new Headers(), body });
    expect(problemReason(reply(422, { type: 'https://mxs.dev/problems/no-capacity', reason: 'no-matching-tier' }))).toBe('no-matching-tier');
    expect(problemReason(reply(409, { type: 'https://mxs.dev/problems/placement-conflict' }))).toBe('placement-conflict');
    expect(problemReason(reply(403, null))).toBe('http-403');
  });
});

describe('denseTrace', () => {
  it('is the same trace for the same seed, and a valid mxs-trace/1 file', () => {
    const trace = denseTrace({ seed: 7, vms: 30, requests: 90 });
    expect(denseTrace({ seed: 7, vms: 30, requests: 90 })).toEqual(trace);
    expect(denseTrace({ seed: 8, vms: 30, requests: 90 })).not.toEqual(trace);
    expect(parseTrace(formatTrace(trace))).toEqual(trace);
    expect(trace.expansions).toHaveLength(90);
  });
});
