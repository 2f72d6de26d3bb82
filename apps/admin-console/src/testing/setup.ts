import { TextDecoder, TextEncoder } from 'node:util';

// jsdom leaves out what browsers have and the router needs.
Object.assign(globalThis, { TextEncoder, TextDecoder });

// jsdom lacks what charts measure with; a fixed size is enough for a view to lay out.
class FixedResizeObserver {
  constructor(private readonly callback: ResizeObserverCallback) {}
  observe(target: Element): void {
    this.callback([{ target, contentRect: { width: 800, height: 300 } } as unknown as ResizeObserverEntry], this as unknown as ResizeObserver);
  }
  unobserve(): void {
    // nothing is watched between calls
  }
  disconnect(): void {
    // nothing to let go
  }
}
globalThis.ResizeObserver ??= FixedResizeObserver as unknown as typeof ResizeObserver;
