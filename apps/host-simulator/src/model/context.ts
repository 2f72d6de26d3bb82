import type { HostAgentErrorCode } from '@mxs/host-agent';
import { HostAgentError } from '@mxs/host-agent';
import type { Clock } from './clock';
import type { EventLog } from './event-log';
import type { SimOptions } from './options';
import type { Device, Host } from './state';

/** What every operation needs: time, settings, the log, and which objects have steps running. */
export interface SimContext {
  readonly clock: Clock;
  readonly options: SimOptions;
  readonly log: EventLog;
  /** Hosts and devices with a step in flight: the only ones a whole-log read must bring up to date. */
  readonly busyHosts: Set<Host>;
  readonly busyDevices: Set<Device>;
}

export function refuse(code: HostAgentErrorCode, message: string): never {
  throw new HostAgentError(code, message);
}

/** A long step's answer plus how long waiting could take (Infinity: only a fault change helps). */
export interface Stepped<T extends object> {
  readonly progress: ({ done: true } & T) | ({ done: false; detail: string } & T);
  readonly etaMs: number;
}
