import type { PolicyRun, PoolingStudy, ReplayReport, SeriesPoint } from '@mxs/replay';
import { REPORT_FORMAT } from '@mxs/replay';

/** A fixed series over `durationSec`: utilization climbing from 0.1 by `step` per point. */
export function series(durationSec: number, points: number, start: number, step: number, capacityGiB: number): SeriesPoint[] {
  return Array.from({ length: points }, (_, i) => {
    const utilization = Math.min(1, start + step * i);
    return { atSec: (durationSec * i) / (points - 1), usedGiB: utilization * capacityGiB, utilization, strandedGiB: 40 * i };
  });
}

/** A hand-built run: every figure chosen so a renderer's output can be checked against it. */
export function policyRun(policy: string, overrides: Partial<PolicyRun> = {}): PolicyRun {
  return {
    policy,
    mode: 'engine',
    requests: 1000,
    accepted: 875,
    rejected: 125,
    acceptanceRate: 0.875,
    rejectionsByReason: { 'no-capacity': 100, 'vm-ratio-cap': 20, 'tenant-quota': 5 },
    vms: { arrived: 300, placed: 298, unplaced: 2 },
    series: series(7200, 13, 0.1, 0.05, 12288),
    peakUsedGiB: 9830.4,
    meanUtilization: 0.4321,
    meanStrandedGiB: 123.4,
    timeToReadySec: null,
    revenueByTier: { direct: { gibHours: 1500, amountMinor: 123456 }, pooled: { gibHours: 3000, amountMinor: 200000 } },
    currency: 'USD',
    wallSec: 1.5,
    ...overrides,
  };
}

export const POOLING: PoolingStudy = {
  policy: 'mxs',
  baselineCapacityGiB: 12288,
  targetAccepted: 990,
  capacityStepGiB: 256,
  arrangements: [
    { name: 'direct only', hostsPerPool: null, acceptanceRateAtBaseline: 0.8, capacityNeededGiB: 16384, savingVsDirect: 0 },
    { name: 'pools of 8', hostsPerPool: 8, acceptanceRateAtBaseline: 0.95, capacityNeededGiB: 12288, savingVsDirect: 0.25 },
    { name: 'pools of 16', hostsPerPool: 16, acceptanceRateAtBaseline: 0.97, capacityNeededGiB: 11264, savingVsDirect: 0.3125 },
  ],
};

export function report(runs: readonly PolicyRun[], pooling: PoolingStudy | null = POOLING): ReplayReport {
  return {
    format: REPORT_FORMAT,
    generatedAt: '2025-01-02T03:04:05.000Z',
    trace: { source: 'traces/fixture.csv', vms: 300, expansions: 1000, durationSec: 7200 },
    fleet: { name: 'small-seed1', hosts: 16, devices: 20, capacityGiB: 12288 },
    runs,
    pooling,
  };
}
