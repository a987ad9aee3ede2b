/**
 * `callTool`'s arguments checked before anything is sent (issue #10 item 9). From JavaScript,
 * `callTool(42, {})` used to throw `TypeError: name.toLowerCase is not a function` from deep inside, and
 * `callTool('echo', 'hi')` went out and came back as a JSON-RPC -32603 with a multi-line zod dump. The
 * server cannot say which argument of which call was wrong; the client can, at the call site.
 */
import { InvalidArgumentError } from '../errors/tree';
import type { ResolvedRetryOptions } from '../retry/index';
import { type PerCallPolicy, resolvePerCallOptions } from './per-call-options';
import type { CallToolOptions } from './request-options';

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return `an instance of ${value.constructor?.name ?? 'an unknown class'}`;
  return typeof value === 'function' ? 'a function' : `${typeof value} ${String(value)}`;
}

/** A JSON object: created by `{}` or `Object.create(null)`, not a Date, Map, array or class instance. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Throws `InvalidArgumentError` when `name` is not a non-empty string or `args` is neither a plain object
 * nor `undefined` (no arguments), and `TypeError` for an unknown or invalid per-call option; returns the
 * call's resolved `retry`/`replay` overrides.
 *
 * @example
 * ```ts
 * assertCallToolInput('echo', { text: 'hi' }, {}, clientRetry); // fine: {}
 * assertCallToolInput('echo', 'hi', {}, clientRetry);
 * // InvalidArgumentError: Expected the arguments of tool echo to be an object like { key: value }, got "hi"
 * ```
 */
export function assertCallToolInput(name: unknown, args: unknown, options: unknown, clientRetry: ResolvedRetryOptions): PerCallPolicy {
  if (typeof name !== 'string' || name === '') {
    throw new InvalidArgumentError(`Expected the tool name to be a non-empty string, got ${describeValue(name)}`, { argument: 'name' });
  }
  if (args !== undefined && !isPlainObject(args)) {
    throw new InvalidArgumentError(`Expected the arguments of tool ${name} to be an object like { key: value }, got ${describeValue(args)}`, {
      argument: 'args',
    });
  }
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`Expected the options of tool ${name} to be an object, got ${describeValue(options)}`);
  }
  return resolvePerCallOptions(options as CallToolOptions | undefined, 'call', clientRetry);
}
