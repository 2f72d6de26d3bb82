/**
 * Fixed-window counts kept in this process: the fallback while Redis is unreachable. Each replica
 * then counts alone (a client may get up to N × limit across N replicas), which beats refusing or
 * stalling every request during an outage.
 */
export class MemoryWindowCounter {
  private window = -1;
  private counts = new Map<string, number>();

  /** Counts one hit of `key` in `window` and returns the window's total so far. */
  increment(key: string, window: number): number {
    if (window !== this.window) {
      // A new window: every old count is stale, so one clear keeps the map from growing.
      this.window = window;
      this.counts = new Map();
    }
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return count;
  }
}
