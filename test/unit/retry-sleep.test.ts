import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { sleep } from '../../src/retry/sleep';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('sleep', () => {
  test('resolves after the delay, not before', async () => {
    let done = false;
    const waiting = sleep(1_000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(done).toBe(true);
  });

  test('removes its abort listener and timer when the delay ends', async () => {
    const controller = new AbortController();
    const waiting = sleep(500, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(500);
    await waiting;
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  test('rejects with signal.reason on abort, clears its timer and leaves no listener', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const waiting = sleep(60_000, controller.signal);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  test('an already aborted signal rejects at once without arming a timer', async () => {
    const reason = new Error('already');
    const signal = AbortSignal.abort(reason);
    await expect(sleep(1_000, signal)).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  test('a hundred sleeps on one long-lived signal leave no listener behind', async () => {
    const controller = new AbortController();
    for (let index = 0; index < 100; index++) {
      const waiting = sleep(10, controller.signal);
      await vi.advanceTimersByTimeAsync(10);
      await waiting;
    }
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  test.each([-1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31])('rejects an invalid delay (%s)', async (ms) => {
    await expect(sleep(ms)).rejects.toThrow(TypeError);
  });
});
