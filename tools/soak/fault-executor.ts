import type { Fault } from '@mxs/host-agent';
import { setMaxListeners } from 'node:events';
import type { PlannedFault, SoakFaultKind } from './faults';
import { countByKind, describeTarget } from './faults';

/** What the executor needs of a running stack (a `ReplayStack` has all of it). */
export interface FaultablePlant {
  readonly sim: { injectFault(fault: Fault): Promise<number> };
  killWorker(i: number): void;
  restartWorker(i: number): Promise<void>;
  /** Stops Redis, waits `downMs`, starts it again with its data. */
  restartRedis(downMs?: number): Promise<void>;
}

/** One line of the fault log: what was done to what, when it began (ms from the executor's start), and whether it took. */
export interface FaultLogEntry {
  readonly atMs: number;
  readonly faultId: number;
  readonly kind: SoakFaultKind;
  readonly action: 'inject' | 'heal';
  readonly target: string;
  readonly ok: boolean;
  readonly error?: string;
}

/** Resolves after `ms`, or at once when the signal aborts (never rejects). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Applies a fault schedule to a stack, each fault on its own timeline (inject at `atMs`, heal
 * at `healAtMs`), and logs every action. Aborting stops further injections and heals at once
 * whatever is still broken, so `run` always ends with the fleet whole (as far as the heals took).
 */
export class FaultExecutor {
  private readonly log: FaultLogEntry[] = [];
  private startedAtMs = 0;

  constructor(
    private readonly plant: FaultablePlant,
    private readonly faults: readonly PlannedFault[],
    private readonly onEntry: (entry: FaultLogEntry) => void = () => undefined,
  ) {}

  get entries(): readonly FaultLogEntry[] {
    return this.log;
  }

  /** Faults whose injection took, by kind. */
  injectedByKind(): Record<SoakFaultKind, number> {
    return countByKind(this.log.filter((e) => e.action === 'inject' && e.ok));
  }

  /** Heals that did not take: the fleet may not be whole. */
  failedHeals(): FaultLogEntry[] {
    return this.log.filter((e) => e.action === 'heal' && !e.ok);
  }

  async run(signal: AbortSignal): Promise<void> {
    this.startedAtMs = Date.now();
    // Every fault waits on the one signal at once: that is by design, not a leak.
    setMaxListeners(this.faults.length + 10, signal);
    await Promise.all(this.faults.map((fault) => this.play(fault, signal)));
  }

  private async play(fault: PlannedFault, signal: AbortSignal): Promise<void> {
    await sleep(this.startedAtMs + fault.atMs - Date.now(), signal);
    if (signal.aborted) return;
    const injected = await this.act(fault, 'inject');
    // The restart call itself waits out the outage; its heal is only logged.
    if (fault.kind !== 'redis-restart') await sleep(this.startedAtMs + fault.healAtMs - Date.now(), signal);
    // Heal even a fault whose injection failed: a half-applied fault must not outlive the run.
    await this.act(fault, 'heal', injected ? undefined : 'after a failed injection');
  }

  private async act(fault: PlannedFault, action: 'inject' | 'heal', note?: string): Promise<boolean> {
    const beganMs = Date.now() - this.startedAtMs;
    let error: string | undefined;
    try {
      await (action === 'inject' ? this.inject(fault) : this.heal(fault));
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
    }
    const entry: FaultLogEntry = {
      atMs: beganMs,
      faultId: fault.id,
      kind: fault.kind,
      action,
      target: note === undefined ? describeTarget(fault.target) : `${describeTarget(fault.target)} (${note})`,
      ok: error === undefined,
      ...(error === undefined ? {} : { error }),
    };
    this.log.push(entry);
    this.onEntry(entry);
    return entry.ok;
  }

  private async inject(fault: PlannedFault): Promise<void> {
    const t = fault.target;
    switch (t.kind) {
      case 'device-failure':
        await this.plant.sim.injectFault({ kind: 'device-fail', deviceId: t.deviceId, reason: `soak fault ${fault.id}` });
        return;
      case 'switch-link-down':
        await this.plant.sim.injectFault({ kind: 'link-down', switchId: t.switchId, ...(t.hostId === null ? {} : { hostId: t.hostId }) });
        return;
      case 'host-crash':
        await this.plant.sim.injectFault({ kind: 'host-crash', hostId: t.hostId });
        return;
      case 'worker-kill':
        this.plant.killWorker(t.worker);
        return;
      case 'redis-restart':
        await this.plant.restartRedis(fault.healAtMs - fault.atMs);
        return;
    }
  }

  private async heal(fault: PlannedFault): Promise<void> {
    const t = fault.target;
    switch (t.kind) {
      case 'device-failure':
        await this.plant.sim.injectFault({ kind: 'device-restore', deviceId: t.deviceId });
        return;
      case 'switch-link-down':
        await this.plant.sim.injectFault({ kind: 'link-up', switchId: t.switchId, ...(t.hostId === null ? {} : { hostId: t.hostId }) });
        return;
      case 'host-crash':
        await this.plant.sim.injectFault({ kind: 'host-restart', hostId: t.hostId });
        return;
      case 'worker-kill':
        await this.plant.restartWorker(t.worker);
        return;
      case 'redis-restart':
        return;
    }
  }
}
