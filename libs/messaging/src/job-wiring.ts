/**
 * Refuses a handler table that misses a job name of `libs/contracts`, or names one it does not
 * know: a consumer must not start when a job it may receive would have nowhere to go.
 */
export function checkJobWiring(queue: string, handlers: Readonly<Record<string, unknown>>, names: readonly string[]): void {
  const missing = names.filter((n) => typeof handlers[n] !== 'function');
  const unknown = Object.keys(handlers).filter((n) => !names.includes(n));
  if (missing.length > 0 || unknown.length > 0) {
    throw new Error(`${queue} job wiring is wrong: no handler for [${missing.join(', ')}], handlers for unknown jobs [${unknown.join(', ')}]`);
  }
}
