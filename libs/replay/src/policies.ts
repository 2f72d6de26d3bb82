import type { PlacementDecision, PlacementRequest } from '@mxs/policy';
import { FirstFitPolicy, PlacementEngine } from '@mxs/policy';
import type { Fleet } from '@mxs/topology';
import { ReplayError } from './errors';

/**
 * The placers a replay compares: `mxs` (the engine, layout `pack`), `mxs-spread` (the engine,
 * layout `spread`) and `first-fit` (the naive baseline: first device in fleet order, lowest
 * offset). All use the engine's default configuration, so only the placing differs.
 */
export type PolicyName = 'mxs' | 'mxs-spread' | 'first-fit';

export const POLICY_NAMES: readonly PolicyName[] = ['mxs', 'mxs-spread', 'first-fit'];

export function isPolicyName(name: string): name is PolicyName {
  return (POLICY_NAMES as readonly string[]).includes(name);
}

export interface ReplayPolicy {
  readonly name: PolicyName;
  place(fleet: Fleet, request: PlacementRequest): PlacementDecision;
}

export function createPolicy(name: PolicyName): ReplayPolicy {
  switch (name) {
    case 'mxs':
      return withLayout(name, 'pack');
    case 'mxs-spread':
      return withLayout(name, 'spread');
    case 'first-fit': {
      const firstFit = new FirstFitPolicy();
      return { name, place: (fleet, request) => firstFit.place(fleet, request) };
    }
    default:
      throw new ReplayError('unknown-policy', `unknown policy "${String(name)}"; known: ${POLICY_NAMES.join(', ')}`);
  }
}

function withLayout(name: PolicyName, layout: 'pack' | 'spread'): ReplayPolicy {
  const engine = new PlacementEngine();
  return { name, place: (fleet, request) => engine.place(fleet, { ...request, layout }) };
}
