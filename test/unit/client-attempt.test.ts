import { getEventListeners } from 'node:events';
import { afterEach, expect, test, vi } from 'vitest';
import { AbortError, ClosedError, ConnectionError, TimeoutError } from '../../src/errors';
import { Attempt } from '../../src/session/attempt';

afterEach(() => {
  vi.useRealTimers();
});

test('times out with TimeoutError kind attempt', async () => {
  vi.useFakeTimers();
  const attempt = new Attempt({ timeoutMs: 1_000 });
  await vi.advanceTimersByTimeAsync(999);
  expect(attempt.signal.aborted).toBe(false);
  await vi.advanceTimersByTimeAsync(1);
  expect(attempt.signal.aborted).toBe(true);
  const error = attempt.explain(new Error('undici abort'));
  expect(error).toBeInstanceOf(TimeoutError);
  expect(error).toMatchObject({ kind: 'attempt', timeoutMs: 1_000 });
  attempt.dispose();
});

test('a timeout that struck before the request was sent (waiting for authorization) is a connect-phase timeout', () => {
  const attempt = new Attempt({ timeoutMs: 60_000 });
  attempt.cancel('timeout');
  const notSent = new ConnectionError('abandoned while authorizing', { reason: 'unknown', requestSent: false });
  expect(attempt.explain(notSent)).toMatchObject({ code: 'TIMEOUT', kind: 'connect', cause: notSent });
  // After the send the same timeout is a lost answer, as before.
  expect(attempt.explain(new ConnectionError('reset', { reason: 'reset', requestSent: true }))).toMatchObject({ kind: 'attempt' });
  attempt.dispose();
});

test('a total budget that ran out stays a total timeout, sent or not', () => {
  const scope = new Attempt({ timeoutMs: 60_000, kind: 'total' });
  scope.cancel('timeout');
  expect(scope.explain(new ConnectionError('x', { reason: 'unknown', requestSent: false }))).toMatchObject({ kind: 'total' });
  scope.dispose();
});

test("a caller's abort becomes AbortError with the signal's reason as cause", () => {
  const controller = new AbortController();
  const attempt = new Attempt({ signal: controller.signal, timeoutMs: 60_000 });
  controller.abort(new Error('user went away'));
  const error = attempt.explain(new Error('x'));
  expect(error).toBeInstanceOf(AbortError);
  expect((error as AbortError).cause).toEqual(new Error('user went away'));
  attempt.dispose();
});

test('an already-aborted signal cancels at once', () => {
  const attempt = new Attempt({ signal: AbortSignal.abort('early'), timeoutMs: 60_000 });
  expect(attempt.signal.aborted).toBe(true);
  expect(attempt.end).toBe('aborted');
  attempt.dispose();
});

test('close wins over a later timeout and yields ClosedError', () => {
  const attempt = new Attempt({ timeoutMs: 60_000 });
  attempt.cancel('closed');
  attempt.cancel('timeout');
  expect(attempt.explain(new Error('x'))).toBeInstanceOf(ClosedError);
  attempt.dispose();
});

test('an attempt that was not cancelled passes errors through', () => {
  const attempt = new Attempt({ timeoutMs: 60_000 });
  const original = new Error('original');
  expect(attempt.explain(original)).toBe(original);
  attempt.dispose();
});

test('dispose() leaves no listener on the caller signal and no timer', () => {
  vi.useFakeTimers();
  const controller = new AbortController();
  const attempt = new Attempt({ signal: controller.signal, timeoutMs: 1_000 });
  expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
  expect(vi.getTimerCount()).toBe(1);
  attempt.dispose();
  expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  expect(vi.getTimerCount()).toBe(0);
});

test('a child attempt ends with its call scope, reporting the scope error, and leaves no listener or timer', async () => {
  vi.useFakeTimers();
  const controller = new AbortController();
  const call = new Attempt({ signal: controller.signal, timeoutMs: 500, kind: 'total' });
  const attempt = new Attempt({ parent: call, timeoutMs: 60_000 });
  // The child hangs on the scope directly: the caller's signal carries one listener (the scope's), no more.
  expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
  await vi.advanceTimersByTimeAsync(500);
  expect(attempt.aborted).toBe(true);
  expect(attempt.signal.aborted).toBe(true);
  const error = attempt.explain(new Error('undici abort'));
  expect(error).toBeInstanceOf(TimeoutError);
  expect(error).toMatchObject({ kind: 'total', timeoutMs: 500 });
  attempt.dispose();
  call.dispose();
  expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  expect(vi.getTimerCount()).toBe(0);
});

test('a child of a closed scope is born closed', () => {
  const call = new Attempt({ timeoutMs: 60_000, kind: 'total' });
  call.cancel('closed');
  const attempt = new Attempt({ parent: call, timeoutMs: 60_000 });
  expect(attempt.aborted).toBe(true);
  expect(attempt.explain(new Error('x'))).toBeInstanceOf(ClosedError);
  attempt.dispose();
  call.dispose();
});

test('a child that timed out alone does not end its scope', () => {
  vi.useFakeTimers();
  const call = new Attempt({ timeoutMs: 60_000, kind: 'total' });
  const attempt = new Attempt({ parent: call, timeoutMs: 100 });
  vi.advanceTimersByTime(100);
  expect(attempt.explain(new Error('x'))).toMatchObject({ code: 'TIMEOUT', kind: 'attempt' });
  expect(call.aborted).toBe(false);
  attempt.dispose();
  call.dispose();
});
