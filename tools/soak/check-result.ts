/** One check of the agreement: how many things it compared and what disagreed (the first few, with a count of the rest). */
export interface CheckResult {
  readonly name: string;
  readonly passed: boolean;
  readonly checked: number;
  readonly failures: readonly string[];
  /** What the check could not see, or how it read its figures. */
  readonly note?: string;
}

/** Failures kept per check: enough to find the bug, not a dump of the fleet. */
const FAILURES_KEPT = 25;

/** Counts comparisons and collects disagreements for one check. */
export class Check {
  private checkedCount = 0;
  private readonly kept: string[] = [];
  private failedCount = 0;

  constructor(
    readonly name: string,
    private note?: string,
  ) {}

  /** Counts one comparison; records `failure` when it is given. */
  compare(failure?: string | null): void {
    this.checkedCount++;
    if (failure !== undefined && failure !== null) this.fail(failure);
  }

  /** A disagreement that was not one comparison of its own (found while reading). */
  fail(failure: string): void {
    this.failedCount++;
    if (this.kept.length < FAILURES_KEPT) this.kept.push(failure);
  }

  addNote(note: string): void {
    this.note = this.note === undefined ? note : `${this.note}; ${note}`;
  }

  result(): CheckResult {
    const failures = this.failedCount > this.kept.length ? [...this.kept, `… and ${this.failedCount - this.kept.length} more`] : [...this.kept];
    return { name: this.name, passed: this.failedCount === 0, checked: this.checkedCount, failures, ...(this.note === undefined ? {} : { note: this.note }) };
  }
}

/** Runs `work` over `items`, at most `concurrency` at once, answers in input order. */
export async function mapLimited<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i] as T);
    }
  });
  await Promise.all(lanes);
  return out;
}
