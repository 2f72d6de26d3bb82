/// <reference types="jest" />
import { act, renderHook } from '@testing-library/react';
import { deferred } from '../testing/render';
import { usePolling } from './usePolling';

// Fake timers for this file only: the hook's interval is what is under test.
beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

const settle = (): Promise<void> => act(async () => {
  await Promise.resolve();
});

describe('usePolling', () => {
  it('loads at once, then every interval, and says when', async () => {
    let calls = 0;
    const load = jest.fn(() => Promise.resolve(++calls));
    const { result } = renderHook(() => usePolling(load, 2_000));
    await settle();
    expect(result.current.data).toBe(1);
    expect(result.current.updatedAt).toBeInstanceOf(Date);

    await act(async () => {
      jest.advanceTimersByTime(2_000);
      await Promise.resolve();
    });
    expect(result.current.data).toBe(2);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('skips ticks while a load is still running', async () => {
    const slow = deferred<string>();
    const load = jest.fn(() => slow.promise);
    const { result } = renderHook(() => usePolling(load, 2_000));

    await act(async () => {
      jest.advanceTimersByTime(6_000);
      await Promise.resolve();
    });
    expect(load).toHaveBeenCalledTimes(1);

    await act(async () => {
      slow.resolve('fleet');
      await slow.promise;
    });
    expect(result.current.data).toBe('fleet');
    await act(async () => {
      jest.advanceTimersByTime(2_000);
      await Promise.resolve();
    });
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('keeps the last data and reports the error of a failed load', async () => {
    const load = jest.fn<Promise<string>, []>().mockResolvedValueOnce('first').mockRejectedValueOnce(new Error('API down'));
    const { result } = renderHook(() => usePolling(load, 2_000));
    await settle();
    await act(async () => {
      jest.advanceTimersByTime(2_000);
      await Promise.resolve();
    });
    await settle();
    expect(result.current.data).toBe('first');
    expect((result.current.error as Error).message).toBe('API down');
  });

  it('reloads on demand after a load already running, so an action is seen at once', async () => {
    const first = deferred<string>();
    const load = jest.fn<Promise<string>, []>().mockReturnValueOnce(first.promise).mockResolvedValueOnce('after the action');
    const { result } = renderHook(() => usePolling(load, 60_000));

    let reloaded: Promise<void> = Promise.resolve();
    act(() => {
      reloaded = result.current.reload();
    });
    await act(async () => {
      first.resolve('before the action');
      await reloaded;
    });
    expect(load).toHaveBeenCalledTimes(2);
    expect(result.current.data).toBe('after the action');
  });

  it('stops polling when the page goes away', async () => {
    const load = jest.fn(() => Promise.resolve('x'));
    const { unmount } = renderHook(() => usePolling(load, 2_000));
    await settle();
    unmount();
    jest.advanceTimersByTime(10_000);
    expect(load).toHaveBeenCalledTimes(1);
  });
});
