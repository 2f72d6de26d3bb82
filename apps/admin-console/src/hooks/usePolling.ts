import { useCallback, useEffect, useRef, useState } from 'react';

export const defaultPollMs = 2_000;

export interface Polled<T> {
  data: T | undefined;
  /** The last load's failure; cleared by the next success. */
  error: unknown;
  updatedAt: Date | undefined;
  /** Loads now (after an action); resolves when that load is done. */
  reload: () => Promise<void>;
}

export interface PollingOptions {
  /** Keep showing the last data while a new `load` (a new filter) runs: a list, not a new page. */
  keepPreviousData?: boolean;
}

/**
 * Loads at once, then every `intervalMs`. A tick that finds a load still running is skipped,
 * so a slow API never piles up requests; a new `load` (new page or filter) starts afresh.
 */
export function usePolling<T>(load: () => Promise<T>, intervalMs: number = defaultPollMs, options: PollingOptions = {}): Polled<T> {
  const { keepPreviousData = false } = options;
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [updatedAt, setUpdatedAt] = useState<Date | undefined>(undefined);
  const inFlight = useRef<Promise<void> | null>(null);
  const generation = useRef(0);

  const run = useCallback((): Promise<void> => {
    const mine = generation.current;
    const attempt = load().then(
      (loaded) => {
        if (mine !== generation.current) return;
        setData(loaded);
        setError(undefined);
        setUpdatedAt(new Date());
      },
      (failure: unknown) => {
        if (mine === generation.current) setError(failure);
      },
    );
    const tracked = attempt.finally(() => {
      if (inFlight.current === tracked) inFlight.current = null;
    });
    inFlight.current = tracked;
    return tracked;
  }, [load]);

  const tick = useCallback((): void => {
    if (inFlight.current === null) void run();
  }, [run]);

  // After an action the data must be fresh: wait for a load already running, then load again.
  const reload = useCallback(async (): Promise<void> => {
    if (inFlight.current !== null) await inFlight.current;
    await run();
  }, [run]);

  useEffect(() => {
    generation.current += 1;
    inFlight.current = null;
    if (!keepPreviousData) {
      setData(undefined);
      setError(undefined);
      setUpdatedAt(undefined);
    }
    tick();
    const timer = setInterval(tick, intervalMs);
    return () => {
      clearInterval(timer);
      generation.current += 1;
      inFlight.current = null;
    };
  }, [tick, intervalMs, keepPreviousData]);

  return { data, error, updatedAt, reload };
}

/** Billing rates the running month on each estimate and SLA call: poll those pages gently. */
export const billingPollMs = 10_000;
