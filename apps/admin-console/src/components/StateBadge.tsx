import type { DeviceHealth, ExpansionState, HostState, Invoice, OperationState, SwitchState } from '../api/types';

export type AnyState = ExpansionState | DeviceHealth | HostState | SwitchState | OperationState | Invoice['status'];
type Tone = 'good' | 'busy' | 'warn' | 'bad' | 'quiet';

const tones: Record<AnyState, Tone> = {
  requested: 'busy',
  placed: 'busy',
  attaching: 'busy',
  active: 'good',
  detaching: 'busy',
  released: 'quiet',
  rejected: 'bad',
  failed: 'bad',
  degraded: 'warn',
  healthy: 'good',
  draining: 'warn',
  maintenance: 'warn',
  up: 'good',
  down: 'bad',
  pending: 'busy',
  running: 'busy',
  compensating: 'warn',
  done: 'good',
  superseded: 'quiet',
  draft: 'busy',
  finalized: 'good',
};

export function StateBadge({ state }: { state: AnyState }): React.JSX.Element {
  // The spaces keep the state a word of its own in a row's text ("exp-1 active acme", not "exp-1activeacme").
  return <span className={`badge badge-${tones[state]}`}>{` ${state} `}</span>;
}
