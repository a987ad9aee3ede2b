/**
 * The pieces that give recovery loops a rate (issue 9 case 2, issue 10 item 11), on injected clocks: the loop
 * backoff (equal jitter, floored), the governor's count of sessions that did not hold, the reachability gate's
 * one probe per interval, and the notification streams' count of unstable connections.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { ReachabilityGate } from '../../src/client/reachability-gate';
import { RecoveryGovernor, SESSION_HOLD_MS } from '../../src/client/recovery-governor';
import { STABLE_STREAM_MS, streamReconnectDelay } from '../../src/client/stream-policy';
import { resolveClientOptions } from '../../src/client/options';
import { ConnectionError } from '../../src/errors';
import { LOOP_FLOOR_MS, computeLoopDelay, resolveRetryOptions } from '../../src/retry/index';
import { nextUnstableCount } from '../../src/session/notification-stream';

const retry = resolveRetryOptions();

describe('computeLoopDelay', () => {
  test.each([
    [1, 0, 50],
    [2, 0, 100],
    [3, 0, 200],
    [4, 0, 400],
    [4, 1, 800],
    [20, 0, 2_500],
  ])('attempt %i with random %d waits %i ms (half the bound at least)', (attempt, random, expected) => {
    expect(computeLoopDelay(attempt, retry, () => random)).toBe(expected);
  });

  test('never under the floor, even with zero delays configured or a broken random source', () => {
    const zero = resolveRetryOptions({ minDelayMs: 0, maxDelayMs: 0 });
    expect(computeLoopDelay(5, zero, () => 0)).toBe(LOOP_FLOOR_MS);
    // A non-number counts as 1: the whole bound, never a tight loop.
    expect(computeLoopDelay(1, retry, () => Number.NaN)).toBe(100);
    expect(computeLoopDelay(1, retry, () => 0, 0)).toBe(LOOP_FLOOR_MS);
  });

  test('a server hint replaces it, capped', () => {
    expect(computeLoopDelay(1, retry, () => 0, 3_600_000)).toBe(retry.maxRetryAfterMs);
  });
});

describe('RecoveryGovernor', () => {
  function governor(threshold: number | null = 3) {
    let now = 0;
    const clock = { advance: (ms: number) => (now += ms) };
    return { clock, governor: new RecoveryGovernor({ retry, random: () => 0, now: () => now, threshold: threshold ?? undefined, windowMs: 60_000 }) };
  }

  test('a session that held recovers at once; one lost soon after its handshake paces the next recovery', () => {
    const { clock, governor: g } = governor();
    g.established();
    clock.advance(SESSION_HOLD_MS);
    expect(g.lost()).toEqual({ degraded: false, losses: 0, delayMs: 0 });
    g.established();
    clock.advance(10);
    expect(g.lost()).toMatchObject({ degraded: false, losses: 1, delayMs: 50 });
    clock.advance(20);
    expect(g.delayMs()).toBe(30);
  });

  test('more than threshold losses that did not hold, within the window, are degraded; a session that holds resets', () => {
    const { clock, governor: g } = governor(3);
    const verdicts = Array.from({ length: 5 }, () => {
      g.established();
      clock.advance(100);
      return g.lost().degraded;
    });
    expect(verdicts).toEqual([false, false, false, true, true]);
    g.established();
    clock.advance(SESSION_HOLD_MS);
    expect(g.lost()).toMatchObject({ degraded: false, losses: 0 });
  });

  test('losses older than the window no longer count; no threshold means never degraded', () => {
    const { clock, governor: g } = governor(1);
    g.established();
    g.lost();
    clock.advance(61_000);
    g.established();
    expect(g.lost().losses).toBe(1);
    const { governor: never } = governor(null);
    for (let index = 0; index < 10; index++) {
      never.established();
      expect(never.lost().degraded).toBe(false);
    }
  });

  test('a failed recovery handshake grows the backoff too', () => {
    const { governor: g } = governor();
    g.failed();
    g.failed();
    g.failed();
    expect(g.failures).toBe(3);
    expect(g.delayMs()).toBe(200);
  });
});

describe('ReachabilityGate', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());
  const refused = new ConnectionError('refused', { reason: 'refused', requestSent: false, errorCode: 'ECONNREFUSED' });

  test('while closed it admits one probe per interval, and the first answer releases every waiter at once', async () => {
    const gate = new ReachabilityGate({ url: new URL('http://127.0.0.1:9/mcp'), intervalMs: 200, random: () => 1 });
    expect(gate.admit()).toBe(true);
    gate.unreachable(refused);
    expect(gate.admit()).toBe(false);
    let released = 0;
    const waiters = Array.from({ length: 50 }, () => gate.wait(undefined, 60_000).then(() => void released++));
    await vi.advanceTimersByTimeAsync(200);
    // One waiter woke for the interval's probe, and exactly one attempt may go.
    expect(released).toBe(1);
    expect(gate.admit()).toBe(true);
    expect(gate.admit()).toBe(false);
    gate.unreachable(refused);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(released).toBe(6);
    gate.reached();
    await Promise.all(waiters);
    expect(released).toBe(50);
    expect(gate.admit()).toBe(true);
  });

  test('each waiter leaves on its own signal and at its own deadline', async () => {
    const gate = new ReachabilityGate({ url: new URL('http://127.0.0.1:9/mcp'), intervalMs: 10_000, random: () => 1 });
    gate.unreachable(refused);
    const controller = new AbortController();
    const aborted = gate.wait(controller.signal, 60_000).catch((error: unknown) => error);
    let deadline = false;
    const short = gate.wait(undefined, 100).then(() => void (deadline = true));
    controller.abort(new Error('gone'));
    expect(await aborted).toEqual(new Error('gone'));
    await vi.advanceTimersByTimeAsync(100);
    await short;
    expect(deadline).toBe(true);
  });

  test('a held-back attempt fails as not delivered and says why', () => {
    const gate = new ReachabilityGate({ url: new URL('http://user:pw@127.0.0.1:9/mcp'), intervalMs: 250, random: () => 0 });
    gate.unreachable(refused);
    const error = gate.heldBack();
    expect(error).toMatchObject({ reason: 'refused', requestSent: false, errorCode: 'ECONNREFUSED' });
    expect(error.message).toContain('http://127.0.0.1:9/mcp');
    expect(error.message).not.toContain('pw');
  });
});

describe('notification stream reconnects', () => {
  const options = resolveClientOptions({ url: 'http://127.0.0.1:9/mcp', random: () => 0 });

  test.each([
    ['a stream that stayed open and ended', 0, 5_000, false, 0],
    ['a stream that stayed open and failed', 0, 5_000, true, 1],
    ['a stream that ended at once', 0, 10, false, 1],
    ['a third unstable stream in a row', 2, 10, false, 3],
    ['a stream that never opened', 4, undefined, true, 5],
  ])('%s: %i -> %i', (_, previous, openForMs, failed, expected) => {
    const openedAt = openForMs === undefined ? undefined : 1_000;
    expect(nextUnstableCount(previous, { openedAt, endedAt: 1_000 + (openForMs ?? 0), failed, stableAfterMs: STABLE_STREAM_MS })).toBe(expected);
  });

  test('retry: 0 on an unstable stream waits the loop backoff; a stable clean end waits retry or 1 s', () => {
    expect(streamReconnectDelay(options, 0, undefined, { retryMs: 0 })).toBe(0);
    expect(streamReconnectDelay(options, 0, undefined, {})).toBe(1_000);
    expect(streamReconnectDelay(options, 1, undefined, { retryMs: 0 })).toBe(50);
    expect(streamReconnectDelay(options, 4, new Error('x'), { retryMs: 0 })).toBe(400);
    expect(streamReconnectDelay(options, 1, undefined, {})).toBe(1_000);
  });
});
