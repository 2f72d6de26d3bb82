import { sleep } from './stack-client';

/**
 * The replay's clock: trace seconds × timeScale = wall seconds from the start. At time scale 0
 * events go as fast as the stack takes them, and the trace clock is the time of the last event
 * sent; either way a wall moment (a transition the API stored) maps to a trace second.
 */
export class ReplayClock {
  /** Wall ms at which the dispatcher reached each trace second (time scale 0). */
  private readonly marks: { wallMs: number; atSec: number }[] = [];

  constructor(
    readonly timeScale: number,
    readonly startMs: number,
    readonly endSec: number,
  ) {}

  /** Resolves when the trace second is due (at once at time scale 0). */
  async until(atSec: number, signal?: AbortSignal): Promise<void> {
    if (this.timeScale === 0) return;
    for (;;) {
      const waitMs = this.startMs + atSec * this.timeScale * 1000 - Date.now();
      if (waitMs <= 0 || signal?.aborted === true) return;
      await sleep(Math.min(waitMs, 250));
    }
  }

  /** The dispatcher is at `atSec` now. */
  reached(atSec: number, wallMs = Date.now()): void {
    const last = this.marks[this.marks.length - 1];
    if (last !== undefined && last.atSec === atSec) return;
    this.marks.push({ wallMs, atSec });
  }

  /** The last trace second the dispatcher reached (0 before the first event). */
  get lastReachedSec(): number {
    return this.marks[this.marks.length - 1]?.atSec ?? 0;
  }

  /** The trace second at a wall moment, within [0, endSec]. */
  traceSecAt(wallMs: number): number {
    if (this.timeScale > 0) return clamp((wallMs - this.startMs) / 1000 / this.timeScale, 0, this.endSec);
    let lo = 0;
    let hi = this.marks.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const mark = this.marks[mid] as { wallMs: number; atSec: number };
      if (mark.wallMs <= wallMs) {
        found = mark.atSec;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return clamp(found, 0, this.endSec);
  }
}

/** Trace seconds at which the fleet is sampled: `samples` evenly spaced over [0, endSec], first and last included. */
export function sampleTimes(endSec: number, samples: number): number[] {
  const n = Math.max(2, Math.floor(samples));
  if (endSec <= 0) return [0];
  return Array.from({ length: n }, (_, i) => (endSec * i) / (n - 1));
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
