/// <reference types="jest" />
import { traceEndSec } from '@mxs/replay';
import { generateFleetSpec } from '@mxs/topology';
import { Redis } from 'ioredis';
import { ReplayStack } from './stack';
import type { InvariantReport } from './stack-checks';
import { checkInvariants, invariantProblems } from './stack-checks';
import { keySlot } from './stack-key-slot';
import { denseTrace } from './stack-load';
import type { StackReplayResult } from './stack-replay';
import { replayOnStack } from './stack-replay';

const SEED = 20261121;
// 40 VMs of 128-256 GiB asking 120 times for 32-512 GiB on the 16-host small fleet: some hosts fill up.
const TRACE = denseTrace({ seed: SEED, vms: 40, requests: 120 });

let stack: ReplayStack;
let result: StackReplayResult;
let report: InvariantReport;

beforeAll(async () => {
  stack = await ReplayStack.start({ fleet: generateFleetSpec({ preset: 'small', seed: SEED, vmsPerHost: 0 }), apis: 2, workers: 2, seed: SEED, privateRedis: true, label: 'replicas' });
  result = await replayOnStack(stack, TRACE, { timeScale: 0, samples: 10 });
  report = await checkInvariants(stack, result.expansionIds);
  // Under 30 s on an idle machine; the room is for a CI box busy with other suites.
}, 200_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

const explain = (): string => `${JSON.stringify({ ...result, series: undefined }, null, 1)}\n${stack.logs()}`;

describe('two placement APIs and two hot-plug workers on one PostgreSQL and one Redis, under a stack replay', () => {
  it('answers every request of the trace, refusing some for want of room', () => {
    expect(result.requests).toBe(TRACE.expansions.length);
    expect(result.accepted + result.rejected).toBe(result.requests);
    expect(result.accepted).toBeGreaterThan(result.requests / 2);
    expect(result.rejectionsByReason['no-capacity'] ?? 0).toBeGreaterThan(0);
    expect(result.expansionIds).toHaveLength(result.accepted);
    expect(new Set(result.expansionIds).size).toBe(result.accepted);
    expect(result.vms.arrived).toBe(TRACE.vms.length);
  });

  it('puts no two live extents over each other on a device, and no device past its capacity', () => {
    expect(report.overlaps).toEqual([]);
    expect(report.overCommitted).toEqual([]);
  });

  it('brings every accepted expansion to active or an end, as the simulated hosts and devices show it', () => {
    expect(report.unsettled).toEqual([]);
    expect(report.simulatorMismatches).toEqual([]);
    expect(result.timeToReadySec?.count ?? 0).toBeGreaterThan(0);
  });

  it('runs no saga step twice: each host and fabric effect once per expansion, each operation ended by one worker once', () => {
    expect(report.repeatedEffects).toEqual([]);
    expect(report.duplicateOperations).toEqual([]);
    expect(report.sagasEndedTwice).toEqual([]);
    // Every operation the database shows ended was ended in exactly one worker's run.
    expect(report.sagasByWorker.reduce((a, b) => a + b, 0)).toBe(report.sagasEnded);
    expect(report.sagasEnded).toBeGreaterThanOrEqual(result.accepted);
  });

  it('spreads the work: both APIs answered requests and both workers ended sagas', () => {
    const answers = stack.apiUrls.map((url) => result.answersByApi[url] ?? 0);
    expect(answers.every((n) => n > 0)).toBe(true);
    expect(report.sagasByWorker).toHaveLength(2);
    if (!report.sagasByWorker.every((n) => n > 0)) throw new Error(`a worker ended no saga: ${JSON.stringify(report.sagasByWorker)}\n${explain()}`);
  });

  it('replays the whole trace: every event done, the fleet sampled from the first second to the last', () => {
    expect(invariantProblems(report)).toEqual([]);
    expect(result.aborted).toBe(false);
    expect(result.series[0]?.atSec).toBe(0);
    expect(result.series[result.series.length - 1]?.atSec).toBe(traceEndSec(TRACE));
    expect(result.peakUsedGiB).toBeGreaterThan(0);
  });
});

describe('queue keys on Redis Cluster', () => {
  it('puts every key the stack wrote under its hash-tagged prefix, so all land in one cluster slot', async () => {
    expect(stack.queuePrefix).toMatch(/^\{mxs-replay-[0-9a-f]+\}$/);
    const redis = new Redis(stack.redisUrl, { maxRetriesPerRequest: 1 });
    try {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
        keys.push(...batch);
        cursor = next;
      } while (cursor !== '0');
      // The stack's Redis is its own: every key in it is one the apps wrote.
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.filter((k) => !k.startsWith(`${stack.queuePrefix}:`))).toEqual([]);
      expect(keys.some((k) => k.startsWith(`${stack.queuePrefix}:hotplug:`))).toBe(true);
      expect(new Set(keys.map(keySlot))).toEqual(new Set([keySlot(stack.queuePrefix)]));
    } finally {
      redis.disconnect();
    }
  });
});
