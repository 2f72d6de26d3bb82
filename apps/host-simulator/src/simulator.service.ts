import type { OnModuleInit } from '@nestjs/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FaultKind } from '@mxs/host-agent';
import { HostAgentError } from '@mxs/host-agent';
import { Closer, SERVICE_CONFIG } from '@mxs/service-kit';
import type { FleetSpec } from '@mxs/topology';
import { generateFleetSpec, isFleetPresetName, parseFleetJson } from '@mxs/topology';
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { Counter, Registry } from 'prom-client';
import type { SimConfig } from './config';
import { systemClock } from './model/clock';
import type { Stepped } from './model/context';
import type { SimOptions } from './model/options';
import { simOptions } from './model/options';
import { restoreState, saveState } from './model/snapshot';
import { Simulator } from './model/simulator';

/** Long-polls look again at least this often, so a restart or a cleared fault is noticed. */
const MAX_POLL_MS = 250;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function optionsFrom(config: SimConfig): SimOptions {
  return simOptions({
    seed: config.MXS_SIM_SEED,
    timeScale: config.MXS_SIM_TIME_SCALE,
    durations: config.MXS_SIM_DURATIONS ?? {},
    failureRates: { enomem: config.MXS_SIM_ENOMEM_RATE, ebusy: config.MXS_SIM_EBUSY_RATE, unplugStopShort: config.MXS_SIM_UNPLUG_STOP_SHORT_RATE },
    eventLogLimit: config.MXS_SIM_EVENT_LOG_LIMIT,
  });
}

/** Owns the one Simulator of this process, its fleet and state file, and its metrics. */
@Injectable()
export class SimulatorService implements OnModuleInit {
  private readonly logger = new Logger(SimulatorService.name);
  private readonly options: SimOptions;
  private readonly operations: Counter<'operation' | 'outcome'>;
  private readonly faults: Counter<'kind'>;
  sim: Simulator;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: SimConfig,
    @Inject(Registry) registry: Registry,
    @Inject(Closer) private readonly closer: Closer,
  ) {
    this.options = optionsFrom(config);
    this.sim = new Simulator(this.options, systemClock);
    this.operations = new Counter({
      name: 'mxs_sim_operations_total',
      help: 'Host-agent and fabric operations by kind and outcome (done, pending, accepted or an error code)',
      labelNames: ['operation', 'outcome'],
      registers: [registry],
    });
    this.faults = new Counter({ name: 'mxs_sim_faults_total', help: 'Faults injected, by kind', labelNames: ['kind'], registers: [registry] });
  }

  async onModuleInit(): Promise<void> {
    const file = this.config.MXS_SIM_STATE_FILE;
    if (file !== undefined && existsSync(file)) {
      await this.loadStateFile();
      this.logger.log(`state loaded from ${file}`);
    } else if (this.config.MXS_SIM_FLEET !== undefined) {
      this.loadFleet(await this.fleetFromSetting(this.config.MXS_SIM_FLEET));
      this.logger.log(`fleet ${this.sim.fleet?.name} loaded from MXS_SIM_FLEET`);
    }
    if (file !== undefined) {
      // The simulator's state outlives a restart of its own process too.
      this.closer.add('database', 'simulator state file', async () => {
        if (this.sim.fleet !== undefined) await this.saveStateFile();
      });
    }
  }

  private async fleetFromSetting(setting: string): Promise<FleetSpec> {
    if (isFleetPresetName(setting)) return generateFleetSpec({ preset: setting, seed: this.config.MXS_SIM_SEED });
    return parseFleetJson(await readFile(setting, 'utf8'));
  }

  loadFleet(spec: FleetSpec): void {
    this.sim.loadFleet(spec);
  }

  replaceState(state: unknown): void {
    this.sim = restoreState(state, this.options, systemClock);
  }

  private stateFile(): string {
    const file = this.config.MXS_SIM_STATE_FILE;
    if (file === undefined) throw new HostAgentError('conflict', 'MXS_SIM_STATE_FILE is not set: save and load through GET and PUT /sim/state');
    return file;
  }

  async saveStateFile(): Promise<string> {
    const file = this.stateFile();
    // Write then rename: a crash mid-write never leaves half a state file.
    await writeFile(`${file}.tmp`, JSON.stringify(saveState(this.sim)));
    await rename(`${file}.tmp`, file);
    return file;
  }

  async loadStateFile(): Promise<string> {
    const file = this.stateFile();
    this.replaceState(JSON.parse(await readFile(file, 'utf8')) as unknown);
    return file;
  }

  countFault(kind: FaultKind): void {
    this.faults.inc({ kind });
  }

  /** Runs a call that answers at once, holding the answer for the step's simulated duration. */
  async instant(operation: string, run: (sim: Simulator) => number): Promise<void> {
    const delayMs = this.counted(operation, () => run(this.sim));
    this.operations.inc({ operation, outcome: 'accepted' });
    if (delayMs > 0) await sleep(delayMs);
  }

  /**
   * Runs a long step, then holds the request up to `waitMs` for it to finish, looking again
   * (never repeating the call: a repeat could retry an unplug) until done or the wait ends.
   */
  async step<T extends object>(
    operation: string,
    waitMs: number | undefined,
    first: (sim: Simulator) => Stepped<T>,
    again: (sim: Simulator) => Stepped<T>,
    isGone: () => boolean = () => false,
  ): Promise<Stepped<T>['progress']> {
    let stepped = this.counted(operation, () => first(this.sim));
    const deadline = Date.now() + (waitMs ?? 0);
    // A step that will not move by itself (stopped short, stuck) answers now: only asking again can help.
    while (!stepped.progress.done && !isGone() && Number.isFinite(stepped.etaMs)) {
      const leftMs = deadline - Date.now();
      if (leftMs <= 0) break;
      await sleep(Math.max(1, Math.min(leftMs, stepped.etaMs, MAX_POLL_MS)));
      stepped = this.counted(operation, () => again(this.sim));
    }
    this.operations.inc({ operation, outcome: stepped.progress.done ? 'done' : 'pending' });
    return stepped.progress;
  }

  private counted<R>(operation: string, run: () => R): R {
    try {
      return run();
    } catch (error) {
      this.operations.inc({ operation, outcome: error instanceof HostAgentError ? error.code : 'error' });
      throw error;
    }
  }
}
