/**
 * The retry building blocks: options and defaults, pure backoff, Retry-After, abortable sleep, failure
 * classification, replay safety, the circuit breaker and the loop that ties them together.
 */
export {
  MAX_TIMER_DELAY_MS,
  RETRY_DEFAULTS,
  resolveRetryOptions,
  type ResolvedRetryOptions,
  type RetryOptions,
} from './retry-options';
export { LOOP_FLOOR_MS, computeDelay, computeLoopDelay } from './compute-delay';
export { parseRetryAfter, retryAfterOf } from './retry-after';
export { sleep } from './sleep';
export { classifyFailure, isUnreachable, type FailureClass } from './classify-failure';
export { isReplaySafe, type ReplayPolicy, type ReplaySafetyInput } from './replay-safety';
export {
  CIRCUIT_BREAKER_DEFAULTS,
  CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitState,
} from './circuit-breaker';
export { runWithRetry, type RetryInfo, type RunWithRetryOptions } from './run-with-retry';
