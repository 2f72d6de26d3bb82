/** Every way the soak gives up before it can judge the system, as a stable code. */
export type SoakErrorCode = 'invalid-options' | 'invalid-arguments' | 'billing-unreadable';

export class SoakError extends Error {
  override readonly name = 'SoakError';

  constructor(
    readonly code: SoakErrorCode,
    message: string,
  ) {
    super(message);
  }
}
