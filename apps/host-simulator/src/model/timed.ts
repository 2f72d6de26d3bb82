/** A step that takes time: started at, lasting, and frozen while its host or device is down. */
export interface Timed {
  startedAtMs: number;
  durationMs: number;
  /** Set while paused (host crashed, device failed): progress stays where it was at this moment. */
  pausedAtMs?: number;
}

export function startTimed(nowMs: number, durationMs: number): Timed {
  return { startedAtMs: nowMs, durationMs };
}

/** How far along, 0..1. */
export function fractionDone(step: Timed, nowMs: number): number {
  // An instant step paused before it began (a failed device's scrub at time scale 0) waits too.
  if (step.durationMs <= 0) return step.pausedAtMs !== undefined && step.pausedAtMs <= step.startedAtMs ? 0 : 1;
  const at = step.pausedAtMs ?? nowMs;
  return Math.min(1, Math.max(0, (at - step.startedAtMs) / step.durationMs));
}

export function finishedAtMs(step: Timed): number {
  return step.startedAtMs + step.durationMs;
}

/** Milliseconds until it ends, Infinity while paused. */
export function remainingMs(step: Timed, nowMs: number): number {
  if (step.pausedAtMs !== undefined) return Infinity;
  return Math.max(0, finishedAtMs(step) - nowMs);
}

export function pause(step: Timed, nowMs: number): void {
  step.pausedAtMs ??= nowMs;
}

export function resume(step: Timed, nowMs: number): void {
  if (step.pausedAtMs === undefined) return;
  step.startedAtMs += nowMs - step.pausedAtMs;
  delete step.pausedAtMs;
}
