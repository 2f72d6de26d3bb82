import { TopologyError } from '../errors';

/** The `TopologyError` an action throws; fails the test when it throws nothing or something else. */
export function topologyErrorOf(action: () => unknown): TopologyError {
  try {
    action();
  } catch (error) {
    if (error instanceof TopologyError) return error;
    throw error;
  }
  throw new Error('expected a TopologyError, but nothing was thrown');
}

export function errorCodeOf(action: () => unknown): string {
  return topologyErrorOf(action).code;
}
