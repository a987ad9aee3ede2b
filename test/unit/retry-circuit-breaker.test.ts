import { describe, expect, test } from 'vitest';
import { ConnectionError } from '../../src/errors/tree';
import { CIRCUIT_BREAKER_DEFAULTS, CircuitBreaker } from '../../src/retry/circuit-breaker';

function makeClock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1_000_000;
  return { now: () => time, advance: (ms) => void (time += ms) };
}

function failTimes(breaker: CircuitBreaker, count: number): void {
  for (let index = 0; index < count; index++) breaker.recordFailure();
}

describe('CircuitBreaker', () => {
  test('defaults: 5 consecutive failures, 10 s cool-down', () => {
    expect(CIRCUIT_BREAKER_DEFAULTS.failureThreshold).toBe(5);
    expect(CIRCUIT_BREAKER_DEFAULTS.coolDownMs).toBe(10_000);
  });

  test('stays closed below the threshold', () => {
    const breaker = new CircuitBreaker({ now: makeClock().now });
    failTimes(breaker, 4);
    expect(breaker.state).toBe('closed');
    expect(() => breaker.check()).not.toThrow();
    expect(breaker.trips).toBe(0);
  });

  test('opens at the threshold and fails fast with a not-sent ConnectionError', () => {
    const clock = makeClock();
    const breaker = new CircuitBreaker({ now: clock.now });
    failTimes(breaker, 5);
    expect(breaker.state).toBe('open');
    expect(breaker.trips).toBe(1);
    clock.advance(4_000);
    let thrown: unknown;
    try {
      breaker.check();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConnectionError);
    expect(thrown).toMatchObject({ reason: 'circuit_open', requestSent: false, code: 'CONNECTION_ERROR' });
    expect((thrown as Error).message).toContain('6000 ms');
  });

  test('a success in between resets the count: only consecutive failures open it', () => {
    const breaker = new CircuitBreaker({ now: makeClock().now });
    failTimes(breaker, 4);
    breaker.recordSuccess();
    failTimes(breaker, 4);
    expect(breaker.state).toBe('closed');
  });

  test('half-opens after the cool-down and lets calls through', () => {
    const clock = makeClock();
    const breaker = new CircuitBreaker({ failureThreshold: 2, coolDownMs: 1_000, now: clock.now });
    failTimes(breaker, 2);
    clock.advance(999);
    expect(breaker.state).toBe('open');
    clock.advance(1);
    expect(breaker.state).toBe('half_open');
    expect(() => breaker.check()).not.toThrow();
  });

  test('a successful probe closes it', () => {
    const clock = makeClock();
    const breaker = new CircuitBreaker({ failureThreshold: 2, coolDownMs: 1_000, now: clock.now });
    failTimes(breaker, 2);
    clock.advance(1_000);
    breaker.recordSuccess();
    expect(breaker.state).toBe('closed');
    failTimes(breaker, 1);
    expect(breaker.state).toBe('closed');
  });

  test('a failed probe re-opens it at once for a full cool-down and counts a trip', () => {
    const clock = makeClock();
    const breaker = new CircuitBreaker({ failureThreshold: 3, coolDownMs: 1_000, now: clock.now });
    failTimes(breaker, 3);
    clock.advance(1_500);
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.trips).toBe(2);
    clock.advance(999);
    expect(breaker.state).toBe('open');
  });

  test('late failures while open neither re-trip nor extend the cool-down', () => {
    const clock = makeClock();
    const breaker = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 1_000, now: clock.now });
    breaker.recordFailure();
    clock.advance(500);
    failTimes(breaker, 3);
    expect(breaker.trips).toBe(1);
    clock.advance(500);
    expect(breaker.state).toBe('half_open');
  });

  test.each([
    [{ failureThreshold: 0 }, 'Expected `failureThreshold` to be a positive integer, got 0'],
    [{ failureThreshold: 2.5 }, 'Expected `failureThreshold` to be a positive integer, got 2.5'],
    [{ coolDownMs: -1 }, 'Expected `coolDownMs` to be a non-negative finite number, got -1'],
    [{ coolDownMs: Number.POSITIVE_INFINITY }, 'Expected `coolDownMs` to be a non-negative finite number, got Infinity'],
  ])('rejects %o', (options, message) => {
    expect(() => new CircuitBreaker(options)).toThrow(new TypeError(message));
  });
});
