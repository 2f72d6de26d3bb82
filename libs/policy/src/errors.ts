export type PolicyErrorCode = 'invalid-config' | 'invalid-request' | 'inconsistent-fleet';

/** A caller error: the engine was asked something malformed (unlike a rejection, which is an answer). */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';

  constructor(
    readonly code: PolicyErrorCode,
    message: string,
  ) {
    super(message);
  }
}
