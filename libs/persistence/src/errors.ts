/** Every way this library refuses an input, as a stable code. */
export type PersistenceErrorCode = 'invalid-database-url' | 'invalid-test-label';

export class PersistenceError extends Error {
  override readonly name = 'PersistenceError';

  constructor(
    readonly code: PersistenceErrorCode,
    message: string,
  ) {
    super(message);
  }
}
