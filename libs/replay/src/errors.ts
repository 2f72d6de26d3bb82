/** Every way the replay library refuses its input, as a stable code. */
export type ReplayErrorCode =
  | 'invalid-trace-options'
  | 'invalid-replay-options'
  | 'invalid-prices'
  | 'unknown-policy'
  | 'invalid-arrangement'
  | 'pooling-target-unreachable';

/** A caller error: options, prices or a fleet the replay cannot work with. */
export class ReplayError extends Error {
  override readonly name = 'ReplayError';

  constructor(
    readonly code: ReplayErrorCode,
    message: string,
  ) {
    super(message);
  }
}
