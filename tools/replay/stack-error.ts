/** Every way a stack-mode replay gives up, as a stable code; the message is what the operator reads. */
export type ReplayStackErrorCode =
  | 'stack-start-failed'
  | 'not-private-redis'
  | 'unknown-worker'
  | 'unexpected-answer'
  | 'replay-unsettled'
  | 'replay-failed';

export class ReplayStackError extends Error {
  override readonly name = 'ReplayStackError';

  constructor(
    readonly code: ReplayStackErrorCode,
    message: string,
  ) {
    super(message);
  }
}
