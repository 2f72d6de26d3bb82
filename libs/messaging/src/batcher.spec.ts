/// <reference types="jest" />
import type { Queued } from './batcher';
import { Batcher } from './batcher';

/** A batch runner whose batches finish when the test says so. */
function gated(): { batches: number[][]; release: () => void; run: (b: readonly Queued<number, number>[]) => Promise<void> } {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  return {
    batches,
    release: () => gates.shift()?.(),
    run: async (batch) => {
      batches.push(batch.map((q) => q.item));
      await new Promise<void>((resolve) => gates.push(resolve));
      for (const q of batch) q.resolve(q.item * 10);
    },
  };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Batcher', () => {
  it('sends a lone item at once and gathers what arrives meanwhile into the next batch', async () => {
    const g = gated();
    const batcher = new Batcher<number, number>({ maxBatch: 3, maxInFlight: 1 }, g.run);
    const results = [1, 2, 3, 4, 5].map((n) => batcher.submit(n));
    expect(g.batches).toEqual([[1]]);
    g.release();
    await settle();
    expect(g.batches).toEqual([[1], [2, 3, 4]]);
    g.release();
    await settle();
    g.release();
    expect(await Promise.all(results)).toEqual([10, 20, 30, 40, 50]);
    expect(g.batches).toEqual([[1], [2, 3, 4], [5]]);
  });

  it('runs up to maxInFlight batches side by side', () => {
    const g = gated();
    const batcher = new Batcher<number, number>({ maxBatch: 1, maxInFlight: 2 }, g.run);
    for (const n of [1, 2, 3]) void batcher.submit(n);
    expect(g.batches).toEqual([[1], [2]]);
  });

  it('rejects every item of a batch whose runner throws, and goes on with the next', async () => {
    let calls = 0;
    const batcher = new Batcher<number, number>({ maxBatch: 2, maxInFlight: 1 }, async (batch) => {
      calls++;
      if (calls === 1) throw new Error('boom');
      for (const q of batch) q.resolve(q.item);
    });
    const first = batcher.submit(1);
    const second = batcher.submit(2);
    await expect(first).rejects.toThrow('boom');
    await expect(second).resolves.toBe(2);
  });
});
