/** A call that may fail on its own without failing the page (billing down, no plan yet). */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export function settle<T>(call: Promise<T>): Promise<Settled<T>> {
  return call.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}
