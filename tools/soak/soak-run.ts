import { generateTrace } from '@mxs/replay';
import type { FleetPresetName, FleetSpec } from '@mxs/topology';
import { generateFleetSpec } from '@mxs/topology';
import { ReplayStack } from '../replay/stack';
import { replayOnStack } from '../replay/stack-replay';
import type { AgreementOptions } from './agreement';
import { checkAgreement } from './agreement';
import type { CheckResult } from './check-result';
import type { FaultLogEntry } from './fault-executor';
import { FaultExecutor } from './fault-executor';
import type { FaultTargets, PlannedFault, SoakFaultKind } from './faults';
import { SOAK_FAULT_KINDS, planFaults } from './faults';

export const SOAK_REPORT_FORMAT = 'mxs-soak-report/1';

export interface SoakOptions {
  /** Wall minutes of load with faults (fractions allowed, for tests). */
  readonly minutes: number;
  readonly seed: number;
  readonly apis: number;
  readonly workers: number;
  readonly fleet: FleetPresetName;
  /** VMs in the trace (default 60 per minute of soak). */
  readonly vms?: number;
  /** Trace hours replayed over the soak's minutes (default 6: an hour-long hold takes a tenth of the run). */
  readonly traceHours?: number;
  /** Mean wall time between fault injections (default 20 s). */
  readonly meanFaultGapMs?: number;
  readonly kinds?: readonly SoakFaultKind[];
  /** The simulator's time scale (default 1: real step durations, so faults land mid-saga). */
  readonly simTimeScale?: number;
  readonly agreement?: Partial<AgreementOptions>;
  readonly log?: (line: string) => void;
}

export interface SoakReport {
  readonly format: typeof SOAK_REPORT_FORMAT;
  readonly minutes: number;
  readonly wallSec: number;
  readonly seed: number;
  readonly fleet: { readonly preset: FleetPresetName; readonly hosts: number; readonly devices: number; readonly switches: number };
  readonly apis: number;
  readonly workers: number;
  readonly trace: { readonly vms: number; readonly expansions: number; readonly durationSec: number; readonly timeScale: number };
  readonly requests: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly faults: { readonly planned: number; readonly injectedByKind: Readonly<Record<SoakFaultKind, number>>; readonly log: readonly FaultLogEntry[] };
  readonly forceReleased: readonly string[];
  /** What the faults did to the expansions, from the database at the end. */
  readonly history: SoakHistory;
  readonly checks: readonly CheckResult[];
  readonly passed: boolean;
}

/** The worker's settings for a soak: sweeps on (they restore degraded expansions and return lost capacity), a step deadline some host crashes outlast. */
export const SOAK_WORKER_ENV: Readonly<Record<string, string>> = {
  MXS_TELEMETRY_INTERVAL_MS: '1000',
  MXS_RECONCILE_INTERVAL_MS: '5000',
  MXS_RECONCILE_GRACE_MS: '10000',
  MXS_STEP_DEADLINE_MS: '10000',
};

export interface SoakHistory {
  readonly expansions: number;
  readonly degradedMoves: number;
  readonly restoredMoves: number;
  readonly failedHotAdds: number;
  readonly failedHotRemoves: number;
  /** Operations a saga had to run again (a killed worker, a lost lease, a Redis restart). */
  readonly rerunOperations: number;
}

async function soakHistory(stack: ReplayStack): Promise<SoakHistory> {
  const [row] = await stack.sql<SoakHistory>(
    `SELECT (SELECT count(*)::int FROM expansions) AS expansions,
            (SELECT count(*)::int FROM expansion_transitions WHERE to_state = 'degraded') AS "degradedMoves",
            (SELECT count(*)::int FROM expansion_transitions WHERE from_state = 'degraded' AND to_state = 'active') AS "restoredMoves",
            (SELECT count(*)::int FROM operations WHERE kind = 'hot-add' AND state = 'failed') AS "failedHotAdds",
            (SELECT count(*)::int FROM operations WHERE kind = 'hot-remove' AND state = 'failed') AS "failedHotRemoves",
            (SELECT count(*)::int FROM operations WHERE attempts > 1) AS "rerunOperations"`,
  );
  return row ?? { expansions: 0, degradedMoves: 0, restoredMoves: 0, failedHotAdds: 0, failedHotRemoves: 0, rerunOperations: 0 };
}

export const DEFAULT_AGREEMENT: AgreementOptions = {
  timeoutMs: 300_000,
  degradedWaitMs: 30_000,
  reconcileWaitMs: 60_000,
  skewToleranceMs: 2_000,
  billingCatchUpMs: 30_000,
  releaseAll: true,
};

export function faultTargets(fleet: FleetSpec, workers: number): FaultTargets {
  return {
    deviceIds: fleet.devices.map((d) => d.id),
    switches: fleet.switches.map((s) => ({ switchId: s.id, hostIds: fleet.hosts.filter((h) => h.switchIds.includes(s.id)).map((h) => h.id) })),
    hostIds: fleet.hosts.map((h) => h.id),
    workers,
  };
}

/**
 * One soak: a stack with billing and its own Redis, a seeded trace replayed over `minutes` with
 * a seeded fault schedule alongside, then the agreement check. A replay that gives up is a
 * failed check of its own; the agreement is checked all the same.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => undefined);
  const startedMs = Date.now();
  const durationMs = Math.round(options.minutes * 60_000);
  const fleet = generateFleetSpec({ preset: options.fleet, seed: options.seed, vmsPerHost: 0 });
  const durationSec = Math.max(60, Math.round((options.traceHours ?? 6) * 3600));
  const trace = generateTrace({ seed: options.seed, vms: options.vms ?? Math.max(10, Math.round(60 * options.minutes)), durationSec });
  const timeScale = durationMs / 1000 / durationSec;
  log(`soak: ${options.minutes} min, seed ${options.seed}, fleet ${options.fleet} (${fleet.hosts.length} hosts, ${fleet.devices.length} devices), ${trace.vms.length} VMs and ${trace.expansions.length} expansion requests over ${durationSec} trace seconds at ${timeScale.toFixed(4)} wall s per trace s`);
  const stack = await ReplayStack.start({
    fleet, apis: options.apis, workers: options.workers, billing: true, seed: options.seed, simTimeScale: options.simTimeScale ?? 1, privateRedis: true, workerEnv: { ...SOAK_WORKER_ENV }, label: 'soak',
  });
  try {
    const faults: PlannedFault[] = planFaults({
      seed: options.seed, durationMs, meanGapMs: options.meanFaultGapMs ?? 20_000, kinds: options.kinds ?? SOAK_FAULT_KINDS, targets: faultTargets(fleet, stack.workerCount()),
    });
    log(`stack up in ${((Date.now() - startedMs) / 1000).toFixed(1)} s; ${faults.length} faults planned`);
    const executor = new FaultExecutor(stack, faults, (e) => log(`fault ${e.faultId} ${e.action} ${e.kind} ${e.target} at ${(e.atMs / 1000).toFixed(1)} s${e.ok ? '' : `: FAILED ${e.error ?? ''}`}`));
    const stopFaults = new AbortController();
    let done = 0;
    let total = 0;
    const loadStartedMs = Date.now();
    const progress = setInterval(() => {
      const injected = executor.entries.filter((e) => e.action === 'inject' && e.ok).length;
      const minute = ((Date.now() - loadStartedMs) / 60_000).toFixed(1);
      stack.sql<{ n: number }>(`SELECT count(*)::int AS n FROM expansions`).then(
        ([row]) => log(`minute ${minute}: ${done} of ${total} trace events done, ${row?.n ?? 0} expansions accepted, ${injected} faults injected`),
        () => log(`minute ${minute}: ${done} of ${total} trace events done, ${injected} faults injected`),
      );
    }, Math.min(60_000, Math.max(5_000, durationMs / 10)));
    const faultRun = executor.run(stopFaults.signal);
    const replay = await replayOnStack(stack, trace, {
      timeScale,
      onProgress: (d, t) => {
        done = d;
        total = t;
      },
    }).catch((error: unknown) => error instanceof Error ? error : new Error(String(error)));
    // A replay that gave up early must not leave faults in place: heal what is still broken.
    if (replay instanceof Error) stopFaults.abort();
    await faultRun;
    clearInterval(progress);
    const replayCheck: CheckResult = {
      name: 'replay: every trace event answered and settled',
      passed: !(replay instanceof Error) && executor.failedHeals().length === 0,
      checked: replay instanceof Error ? 0 : replay.requests,
      failures: [...(replay instanceof Error ? [replay.message.slice(0, 2_000)] : []), ...executor.failedHeals().map((e) => `heal of fault ${e.faultId} (${e.kind} ${e.target}) failed: ${e.error ?? ''}`)],
    };
    log(`load done in ${((Date.now() - loadStartedMs) / 1000).toFixed(0)} s; settling and checking`);
    const agreementOptions: AgreementOptions = { ...DEFAULT_AGREEMENT, ...options.agreement, log };
    // A checker that cannot read a side is a failed check, not a crash: the report still gets written.
    const agreement = await checkAgreement(
      { dbUrl: stack.dbUrl, sim: stack.sim, apiUrl: stack.apiUrl(0), adminKey: stack.adminKey, billingUrl: stack.billingUrl, tenantKey: (id) => stack.tenantKey(id) },
      agreementOptions,
    ).catch((error: unknown) => ({
      checks: [{ name: 'agreement: every side could be read', passed: false, checked: 0, failures: [error instanceof Error ? error.message : String(error)] }],
      passed: false,
      forceReleased: [],
    }));
    const checks = [replayCheck, ...agreement.checks];
    const history = await soakHistory(stack);
    return {
      format: SOAK_REPORT_FORMAT,
      minutes: options.minutes,
      wallSec: Math.round((Date.now() - startedMs) / 1000),
      seed: options.seed,
      fleet: { preset: options.fleet, hosts: fleet.hosts.length, devices: fleet.devices.length, switches: fleet.switches.length },
      apis: options.apis,
      workers: options.workers,
      trace: { vms: trace.vms.length, expansions: trace.expansions.length, durationSec, timeScale },
      requests: replay instanceof Error ? 0 : replay.requests,
      accepted: replay instanceof Error ? 0 : replay.accepted,
      rejected: replay instanceof Error ? 0 : replay.rejected,
      faults: { planned: faults.length, injectedByKind: executor.injectedByKind(), log: executor.entries },
      forceReleased: agreement.forceReleased,
      history,
      checks,
      passed: checks.every((c) => c.passed),
    };
  } finally {
    await stack.stop();
  }
}
