/**
 * Stack mode: a trace replayed through the real placement API, hot-plug workers and host
 * simulator, on a wall clock at a time scale. VMs are placed on hosts by the replay's allocator
 * (HostLedger) and registered through the admin API; expansions are asked for, released and
 * unregistered through the tenant API, round robin over the API processes, many at once.
 */
import type { PolicyRun, SeriesPoint, Trace } from '@mxs/replay';
import { traceEndSec, traceEvents } from '@mxs/replay';
import type { FleetSpec } from '@mxs/topology';
import { randomBytes } from 'node:crypto';
import { ReplayStack } from './stack';
import { ReplayClock, sampleTimes } from './stack-clock';
import { StackClient, sleep } from './stack-client';
import { TraceDriver } from './stack-driver';
import { ReplayStackError } from './stack-error';
import type { ExpansionDetail, StackReplayResult } from './stack-outcome';
import { policyRunOf, stackOutcome } from './stack-outcome';

export type { StackReplayResult } from './stack-outcome';

export interface StackReplayOptions {
  /** Wall seconds per trace second; 0 = as fast as the stack takes it, in trace order. */
  readonly timeScale: number;
  /** Called as events finish: how many of how many. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Fleet samples over the trace (default 60). */
  readonly samples?: number;
  /** Stops sending events; the replay then settles and reports what was sent (`aborted: true`). */
  readonly signal?: AbortSignal;
  /** HTTP calls in flight at once, over all APIs (default 64). */
  readonly concurrency?: number;
  /** Longest wait for an expansion to settle, at a release, a departure and the end (default 180 s). */
  readonly settleTimeoutMs?: number;
  /** Events begun and not finished, at most (default 64 at time scale 0, else 512). */
  readonly maxEventsUnderWay?: number;
}

export interface RunStackReplayOptions {
  readonly timeScale: number;
  readonly apis: number;
  readonly workers: number;
  readonly seed: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Events begun but not finished, at most. At time scale 0 the bound is what paces the trace
 * clock: the replay runs as far ahead of the stack as this, so samples and holds mean something.
 */
const EVENTS_UNDER_WAY = { asFastAsPossible: 64, timed: 512 } as const;
const SETTLED = new Set(['active', 'degraded', 'released', 'failed', 'rejected']);

/** Starts a stack for the trace, replays it, stops the stack (also when the replay fails); the run as a report holds it. */
export async function runStackReplay(trace: Trace, fleet: FleetSpec, options: RunStackReplayOptions): Promise<PolicyRun> {
  const stack = await ReplayStack.start({ fleet, apis: options.apis, workers: options.workers, seed: options.seed, label: 'replay' });
  try {
    return policyRunOf(await replayOnStack(stack, trace, { timeScale: options.timeScale, ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }) }));
  } finally {
    await stack.stop();
  }
}

export async function replayOnStack(stack: ReplayStack, trace: Trace, options: StackReplayOptions): Promise<StackReplayResult> {
  if (!(options.timeScale >= 0) || !Number.isFinite(options.timeScale)) throw new ReplayStackError('replay-failed', `timeScale must be a number >= 0, got ${options.timeScale}`);
  const events = traceEvents(trace);
  const endSec = traceEndSec(trace);
  const client = new StackClient(stack, options.concurrency ?? 64);
  const settleTimeoutMs = options.settleTimeoutMs ?? 180_000;
  const driver = new TraceDriver(stack.fleet, trace.vms, client, stack, randomBytes(4).toString('hex'), settleTimeoutMs);
  const clock = new ReplayClock(options.timeScale, Date.now(), endSec);
  const samples: Promise<SeriesPoint>[] = [];
  const sample = (atSec: number): void => {
    const taken = fleetTotals(client).then((t) => ({ atSec, ...t }));
    taken.catch(() => undefined); // awaited below; a failure there fails the replay
    samples.push(taken);
  };
  const ticks = sampleTimes(endSec, options.samples ?? 60).slice(0, -1);
  const underWay = options.maxEventsUnderWay ?? (options.timeScale === 0 ? EVENTS_UNDER_WAY.asFastAsPossible : EVENTS_UNDER_WAY.timed);
  const progress = setInterval(() => options.onProgress?.(driver.done, events.length), 250);
  let aborted = false;
  try {
    let tick = 0;
    for (const event of events) {
      if (options.signal?.aborted === true) aborted = true;
      if (aborted || driver.failures.length > 0) break;
      // A sample falls before events at its second: it shows the fleet as the trace reaches it.
      for (; tick < ticks.length && (ticks[tick] as number) <= event.atSec; tick++) {
        await clock.until(ticks[tick] as number, options.signal);
        sample(ticks[tick] as number);
      }
      await clock.until(event.atSec, options.signal);
      await driver.below(underWay);
      if (options.signal?.aborted === true) {
        aborted = true;
        break;
      }
      clock.reached(event.atSec);
      driver.apply(event);
    }
    await driver.settled();
    if (driver.failures.length > 0) {
      throw new ReplayStackError('replay-failed', `${driver.failures.length} trace event(s) failed; the first: ${driver.failures.slice(0, 3).join('\n')}\n${stack.logs()}`);
    }
    const details = await settle(client, driver.accepted, settleTimeoutMs, stack);
    const endMs = Date.now();
    // Stopped early, the fleet's last look is where the replay got to, not the trace's end.
    sample(aborted ? clock.lastReachedSec : endSec);
    const series = await Promise.all(samples);
    options.onProgress?.(driver.done, events.length);
    return stackOutcome({ tally: driver.tally, details, series, clock, endMs, answersByApi: Object.fromEntries(client.answeredBy), aborted });
  } finally {
    clearInterval(progress);
  }
}

async function fleetTotals(client: StackClient): Promise<Omit<SeriesPoint, 'atSec'>> {
  const reply = await client.admin('GET', '/admin/v1/fleet');
  if (reply.status !== 200) throw new ReplayStackError('unexpected-answer', `GET /admin/v1/fleet answered ${reply.status}: ${JSON.stringify(reply.body).slice(0, 300)}`);
  const totals = (reply.body as { totals: { usedGiB: number; utilization: number; strandedGiB: number } }).totals;
  return { usedGiB: totals.usedGiB, utilization: totals.utilization, strandedGiB: totals.strandedGiB };
}

/** Waits until every accepted expansion is active or ended; returns each as GET /v1/expansions/{id} shows it, timeline included. */
async function settle(client: StackClient, accepted: TraceDriver['accepted'], timeoutMs: number, stack: ReplayStack): Promise<ExpansionDetail[]> {
  const deadline = Date.now() + timeoutMs;
  const details = new Array<ExpansionDetail | undefined>(accepted.length);
  let open = accepted.map((_, i) => i);
  for (let pause = 20; open.length > 0; pause = Math.min(1_000, pause * 2)) {
    const looks = await Promise.all(
      open.map(async (i) => {
        const a = accepted[i] as (typeof accepted)[number];
        const reply = await client.call('GET', `/v1/expansions/${a.apiId}`, { key: a.key });
        if (reply.status !== 200) throw new ReplayStackError('unexpected-answer', `GET /v1/expansions/${a.apiId} answered ${reply.status}: ${JSON.stringify(reply.body).slice(0, 300)}`);
        const detail = reply.body as ExpansionDetail;
        a.lastState = detail.state;
        details[i] = detail;
        return SETTLED.has(detail.state) ? null : i;
      }),
    );
    open = looks.filter((i): i is number => i !== null);
    if (open.length === 0) break;
    if (Date.now() > deadline) {
      const byState: Record<string, number> = {};
      for (const i of open) byState[(details[i] as ExpansionDetail).state] = (byState[(details[i] as ExpansionDetail).state] ?? 0) + 1;
      const some = open.slice(0, 5).map((i) => `${(details[i] as ExpansionDetail).id} (${(details[i] as ExpansionDetail).state})`).join(', ');
      throw new ReplayStackError('replay-unsettled', `${open.length} of ${accepted.length} accepted expansions were neither active nor ended ${timeoutMs / 1000} s after the trace's end: ${JSON.stringify(byState)}; e.g. ${some}\n${stack.logs()}`);
    }
    await sleep(pause);
  }
  return details as ExpansionDetail[];
}
