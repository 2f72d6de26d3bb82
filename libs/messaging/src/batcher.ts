export interface Queued<T, R> {
  readonly item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Gathers work that arrives while earlier batches run into the next batch, with at most
 * `maxInFlight` batches running at once. Under light load a batch is a single item and goes out
 * at once; under load, many requests share one statement and one round trip.
 */
export class Batcher<T, R> {
  private queue: Queued<T, R>[] = [];
  private inFlight = 0;

  constructor(
    private readonly options: { readonly maxBatch: number; readonly maxInFlight: number },
    private readonly run: (batch: readonly Queued<T, R>[]) => Promise<void>,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight++;
      void this.run(batch)
        .catch((error: unknown) => {
          for (const q of batch) q.reject(error);
        })
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }
}
