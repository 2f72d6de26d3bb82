/** Every way `npm start` gives up, as a stable code; the message is what the operator reads. */
export type StackErrorCode =
  | 'invalid-config'
  | 'services-unavailable'
  | 'service-start-failed'
  | 'port-in-use'
  | 'app-start-failed'
  | 'seed-failed'
  | 'console-build-failed';

export class StackError extends Error {
  override readonly name = 'StackError';

  constructor(
    readonly code: StackErrorCode,
    message: string,
  ) {
    super(message);
  }
}
