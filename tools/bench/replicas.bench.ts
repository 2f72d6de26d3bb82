/**
 * `npm run bench:replicas [-- --quick]`: one seeded trace replayed through the real stack at
 * time scale 0 (the simulator at time scale 0 too), first on 1 placement API + 1 hot-plug
 * worker, then on a fresh stack of 2 + 2, against one PostgreSQL and one Redis. Per run:
 * completed sagas per second (hot-adds and hot-removes that ended), requests per second, time
 * to ready, and the invariants (no overlap, no over-commit, every expansion settled as the
 * simulator shows it, no effect applied twice, no saga ended twice). Prints lines, then one
 * JSON line with the ratio 2x2 / 1x1.
 */
import { generateFleetSpec } from '@mxs/topology';
import { snapshot, split } from './cpu-accounting';
import { ReplayStack } from '../replay/stack';
import type { InvariantReport } from '../replay/stack-checks';
import { checkInvariants, invariantProblems } from '../replay/stack-checks';
import { denseTrace } from '../replay/stack-load';
import type { StackReplayResult } from '../replay/stack-replay';
import { replayOnStack } from '../replay/stack-replay';

const quick = process.argv.includes('--quick');
const SEED = 20261121;
// rack64: 1,024 hosts, so one-hot-plug-per-host never caps the sagas running at once.
const FLEET = generateFleetSpec({ preset: 'rack64', seed: SEED, vmsPerHost: 0 });
const TRACE = denseTrace({ seed: SEED, vms: quick ? 300 : 800, requests: quick ? 900 : 2_400 });
const EVENTS_UNDER_WAY = 256;

const log = (m: string): void => void process.stderr.write(`${m}\n`);
const r = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

interface RunFigures {
  readonly apis: number;
  readonly workers: number;
  readonly sagasCompleted: number;
  readonly completedSagasPerSec: number;
  readonly requestsPerSec: number;
  readonly wallSec: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly readyP50Sec: number;
  readonly readyP99Sec: number;
  readonly answersByApi: readonly number[];
  readonly sagasByWorker: readonly number[];
  readonly operationsBegunTwice: number;
  /** The whole machine's CPU over the replay (all cores), and each part's CPU ms per completed saga; `others` is everything outside the apps and this driver (PostgreSQL, Redis, other work). */
  readonly machineBusyPct: number | null;
  /** Of the machine's time, the share the hypervisor took (steal, not in `others`). */
  readonly machineStealPct: number | null;
  readonly cpuMsPerSaga: Readonly<Record<string, number>>;
  readonly invariantsHold: boolean;
  readonly problems: readonly string[];
}

async function run(apis: number, workers: number): Promise<RunFigures> {
  log(`bench:replicas — ${apis} API + ${workers} worker: starting the stack…`);
  const stack = await ReplayStack.start({ fleet: FLEET, apis, workers, seed: SEED, dbPoolSize: 10, label: `bench-${apis}x${workers}` });
  try {
    let lastShown = 0;
    const { apis: apiPids, workers: workerPids, simulator } = stack.pids();
    const groups = { api: apiPids, worker: workerPids, simulator, driver: [process.pid] };
    const before = snapshot(Object.values(groups).flat());
    const result: StackReplayResult = await replayOnStack(stack, TRACE, {
      timeScale: 0,
      samples: 8,
      maxEventsUnderWay: EVENTS_UNDER_WAY,
      onProgress: (done, total) => {
        if (Date.now() - lastShown < 5_000) return;
        lastShown = Date.now();
        log(`  ${done} / ${total} events`);
      },
    });
    const after = snapshot(Object.values(groups).flat());
    const cpu = before === null || after === null ? null : split(before, after, groups);
    const perSaga = (ms: number): number => r(ms / Math.max(1, result.sagasCompleted), 2);
    const report: InvariantReport = await checkInvariants(stack, result.expansionIds);
    const problems = invariantProblems(report);
    return {
      apis, workers,
      sagasCompleted: result.sagasCompleted, completedSagasPerSec: r(result.completedSagasPerSecond), requestsPerSec: r(result.requestsPerSecond), wallSec: r(result.wallSec),
      accepted: result.accepted, rejected: result.rejected,
      readyP50Sec: r(result.timeToReadySec?.p50 ?? 0, 3), readyP99Sec: r(result.timeToReadySec?.p99 ?? 0, 3),
      answersByApi: stack.apiUrls.map((u) => result.answersByApi[u] ?? 0), sagasByWorker: report.sagasByWorker,
      operationsBegunTwice: report.operationsBegunTwice.length,
      machineBusyPct: cpu?.machineBusyPct ?? null,
      machineStealPct: cpu?.machineStealPct ?? null,
      cpuMsPerSaga: cpu === null ? {} : { ...Object.fromEntries(Object.entries(cpu.groupsMs).map(([k, ms]) => [k, perSaga(ms)])), others: perSaga(cpu.othersMs) },
      invariantsHold: problems.length === 0, problems: problems.slice(0, 10),
    };
  } finally {
    await stack.stop();
  }
}

function show(f: RunFigures): void {
  console.log(`${f.apis} API + ${f.workers} worker   sagas/s ${f.completedSagasPerSec} (${f.sagasCompleted} in ${f.wallSec} s)   requests/s ${f.requestsPerSec}   ready p50/p99 ${f.readyP50Sec}/${f.readyP99Sec} s`);
  console.log(`  accepted ${f.accepted}, refused ${f.rejected}; answers per API ${f.answersByApi.join('/')}; sagas per worker ${f.sagasByWorker.join('/')}; re-run operations ${f.operationsBegunTwice}`);
  console.log(`  CPU ms per saga ${Object.entries(f.cpuMsPerSaga).map(([k, v]) => `${k} ${v}`).join(', ')} (machine ${f.machineBusyPct ?? '?'}% busy, ${f.machineStealPct ?? '?'}% taken by the hypervisor)`);
  console.log(`  invariants ${f.invariantsHold ? 'hold' : `BROKEN: ${f.problems.join('; ')}`}`);
}

async function main(): Promise<void> {
  log(`trace: ${TRACE.vms.length} VMs, ${TRACE.expansions.length} requests (seed ${SEED}); fleet ${FLEET.name}: ${FLEET.hosts.length} hosts, ${FLEET.devices.length} devices`);
  const one = await run(1, 1);
  show(one);
  const two = await run(2, 2);
  show(two);
  const ratio = one.completedSagasPerSec > 0 ? r(two.completedSagasPerSec / one.completedSagasPerSec, 3) : 0;
  console.log(`2x2 / 1x1 completed sagas/s: ${ratio}`);
  console.log(
    JSON.stringify({
      trace: { seed: SEED, vms: TRACE.vms.length, requests: TRACE.expansions.length }, fleet: FLEET.name, quick,
      oneByOne: one, twoByTwo: two, sagasPerSecRatio: ratio,
      invariantsHold: one.invariantsHold && two.invariantsHold,
      // The issue asks that throughput grow with the replicas: 2+2 above 1+1.
      targets: { sagasPerSecRatio: 1 },
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
