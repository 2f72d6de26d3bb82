/// <reference types="jest" />
import { HostTurns } from './host-turns';

describe('HostTurns', () => {
  it('gives a host to one caller at a time, in arrival order, and other hosts at once', async () => {
    const turns = new HostTurns(10);
    const order: string[] = [];
    const first = await turns.take('h1');
    const second = turns.take('h1').then((release) => { order.push('second'); return release; });
    const third = turns.take('h1').then((release) => { order.push('third'); return release; });
    const other = await turns.take('h2');
    expect(other).not.toBeNull();
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    first?.();
    (await second)?.();
    (await third)?.();
    expect(order).toEqual(['second', 'third']);
    expect(turns.queuedOn('h1')).toBe(0);
  });

  it('says come back later once the line is full, and takes callers again once it moves', async () => {
    const turns = new HostTurns(2);
    const holder = await turns.take('h1');
    const waiter = turns.take('h1');
    expect(await turns.take('h1')).toBeNull();
    holder?.();
    (await waiter)?.();
    expect(await turns.take('h1')).not.toBeNull();
  });
});
