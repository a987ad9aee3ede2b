/**
 * The checks behind `resolveClientOptions` (STYLE.md #5): each throws a `TypeError` saying what was expected
 * and what came, e.g. ``Expected `maxInputRounds` to be a positive integer, got 0``.
 */
import type { CircuitBreakerOptions } from '../retry/index';
import { INPUT_METHODS, type InputHandlers } from './input-handlers';

type RawHandler = (params: Record<string, unknown> | undefined) => unknown;

/** An HTTP header name (RFC 9110 `token`). */
export const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * A short description of a value for an error message.
 *
 * @example
 * ```ts
 * describe([]); // 'an array'
 * ```
 */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

/**
 * Throws ``TypeError('Expected `name` to be what, got ...')`` unless `ok`.
 *
 * @example
 * ```ts
 * expect(typeof url === 'string', 'url', 'a string', url);
 * ```
 */
export function expect(ok: boolean, name: string, what: string, value: unknown): asserts ok {
  if (!ok) throw new TypeError(`Expected \`${name}\` to be ${what}, got ${describe(value)}`);
}

/**
 * `value` when it is a positive safe integer.
 *
 * @example
 * ```ts
 * positiveInteger('timeoutMs', 5_000); // 5000
 * ```
 */
export function positiveInteger(name: string, value: number): number {
  expect(Number.isSafeInteger(value) && value > 0, name, 'a positive integer', value);
  return value;
}

/**
 * `ARCHON_MCP_URL`, where there is a `process` (browsers and some edge runtimes have none).
 *
 * @example
 * ```ts
 * const url = envUrl() ?? 'http://localhost:8051/mcp';
 * ```
 */
export function envUrl(): string | undefined {
  const env = typeof process === 'undefined' ? undefined : process.env;
  const value = env?.ARCHON_MCP_URL;
  return value ? value : undefined;
}

/**
 * The `handlers` option: an object whose `elicitation`, `sampling`, `roots` are functions when present.
 *
 * @example
 * ```ts
 * resolveInputHandlers({ roots: () => ({ roots: [] }) });
 * ```
 */
export function resolveInputHandlers(input: InputHandlers | undefined): InputHandlers {
  const value: unknown = input ?? {};
  expect(typeof value === 'object' && value !== null && !Array.isArray(value), 'handlers', 'an object of functions', value);
  const known = new Set<string>(Object.values(INPUT_METHODS));
  for (const [name, handler] of Object.entries(value as Record<string, unknown>)) {
    expect(known.has(name), 'handlers', `an object with only ${[...known].join(', ')}`, name);
    expect(handler === undefined || typeof handler === 'function', `handlers.${name}`, 'a function', handler);
  }
  return value as InputHandlers;
}

/**
 * The `requestHandlers` escape hatch as a map; a method a typed handler already answers is ambiguous.
 *
 * @example
 * ```ts
 * resolveHandlers({ 'custom/ask': () => ({}) }, {});
 * ```
 */
export function resolveHandlers(input: Record<string, RawHandler> | undefined, typed: InputHandlers): ReadonlyMap<string, RawHandler> {
  const value: unknown = input ?? {};
  expect(typeof value === 'object' && value !== null && !Array.isArray(value), 'requestHandlers', 'an object of functions', value);
  const handlers = new Map<string, RawHandler>();
  for (const [method, handler] of Object.entries(value as Record<string, unknown>)) {
    expect(typeof handler === 'function', `requestHandlers.${method}`, 'a function', handler);
    const typedName = (INPUT_METHODS as Record<string, keyof InputHandlers | undefined>)[method];
    expect(typedName === undefined || typed[typedName] === undefined, `requestHandlers.${method}`, `absent when handlers.${typedName ?? ''} answers it`, handler);
    handlers.set(method, handler as RawHandler);
  }
  return handlers;
}

/**
 * The `breaker` option over its defaults, or `false`.
 *
 * @example
 * ```ts
 * resolveBreaker(undefined, { failureThreshold: 5, coolDownMs: 10_000 });
 * ```
 */
export function resolveBreaker(
  input: Omit<CircuitBreakerOptions, 'now'> | false | undefined,
  defaults: Required<Omit<CircuitBreakerOptions, 'now'>>,
): Required<Omit<CircuitBreakerOptions, 'now'>> | false {
  if (input === false) return false;
  const value: unknown = input ?? defaults;
  expect(typeof value === 'object' && value !== null, 'breaker', 'an object or false', value);
  const { failureThreshold, coolDownMs, sessionLossThreshold, sessionLossWindowMs } = { ...defaults, ...(value as Omit<CircuitBreakerOptions, 'now'>) };
  return {
    failureThreshold: positiveInteger('breaker.failureThreshold', failureThreshold),
    coolDownMs: positiveInteger('breaker.coolDownMs', coolDownMs),
    sessionLossThreshold: positiveInteger('breaker.sessionLossThreshold', sessionLossThreshold),
    sessionLossWindowMs: positiveInteger('breaker.sessionLossWindowMs', sessionLossWindowMs),
  };
}
