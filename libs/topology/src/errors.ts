/** Every way the fleet model refuses an input or an operation, as a stable code. */
export type TopologyErrorCode =
  | 'invalid-argument'
  | 'unknown-host'
  | 'unknown-device'
  | 'unknown-switch'
  | 'unknown-vm'
  | 'unknown-allocation'
  | 'duplicate-id'
  | 'extent-unaligned'
  | 'extent-out-of-range'
  | 'extent-not-free'
  | 'extent-not-allocated'
  | 'slots-exhausted'
  | 'host-window-exceeded'
  | 'device-unreachable'
  | 'allocation-exists'
  | 'vm-has-allocations'
  | 'invalid-fleet-format';

export class TopologyError extends Error {
  override readonly name = 'TopologyError';

  constructor(
    readonly code: TopologyErrorCode,
    message: string,
    /** For `invalid-fleet-format`: one line per problem, each starting with its JSON path. */
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }
}
