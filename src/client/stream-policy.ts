/**
 * How the notification streams (legacy GET, modern listen) wait before reconnecting, and how their events are
 * logged. They reconnect for as long as the client is open (TS-SDK #2098: the SDK's stream dies after 2 tries),
 * at a bounded rate: a stream that fails or ends soon after opening backs off like a failure (issue 9).
 */
import { computeLoopDelay, retryAfterOf } from '../retry/index';
import type { ProtocolEra } from '../session/era';
import type { StreamEvent } from '../session/notification-stream';
import type { SseStreamState } from '../transport/sse-reader';
import { log } from './logger';
import type { ResolvedClientOptions } from './options';

/** Wait after the server ended the stream cleanly and sent no `retry:` (SSE's customary default). */
const AFTER_END_MS = 1_000;

/**
 * How long a stream must stay open (legacy: 2xx headers; modern: acknowledged) for its end to count as a clean
 * end rather than a failure. A server that answers `retry: 0` and ends at once got 62 GETs in 500 ms before.
 *
 * @example
 * ```ts
 * new NotificationStream({ exchange, dispatch, delayFor, onEvent, stableAfterMs: STABLE_STREAM_MS });
 * ```
 */
export const STABLE_STREAM_MS = 1_000;

/**
 * Delay before reconnect number `unstable` (see `nextUnstableCount`). The floor is the server's `retry:` (spec
 * 2025-11-25: the client MUST wait at least that long), or 1 s after a clean end without one. A stream that
 * stayed open and ended cleanly waits just that; one that failed or ended early waits at least the loop backoff
 * (`computeLoopDelay`: equal jitter, floored) or the Retry-After of a 503/429, so `retry: 0` cannot make a loop.
 *
 * @example
 * ```ts
 * const delayMs = streamReconnectDelay(options, 3, error, { retryMs: 500 });
 * ```
 */
export function streamReconnectDelay(options: ResolvedClientOptions, unstable: number, error: unknown, state: SseStreamState): number {
  const floor = state.retryMs ?? (error === undefined ? AFTER_END_MS : 0);
  if (unstable === 0) return floor;
  return Math.max(floor, computeLoopDelay(Math.min(unstable, 64), options.retry, options.random, retryAfterOf(error, options.now())));
}

/**
 * Writes the log line for a stream event that matters (failures and give-ups), worded for the stream of the
 * era: the legacy GET stream or the modern `subscriptions/listen` stream.
 *
 * @example
 * ```ts
 * logStreamEvent(options, event, client.mcpSessionId, 'legacy');
 * ```
 */
export function logStreamEvent(options: ResolvedClientOptions, event: StreamEvent, mcpSessionId: string | undefined, era: ProtocolEra = 'legacy'): void {
  const fields = { url: options.url.href, mcpSessionId };
  if (era === 'modern') return logListenEvent(options, event, { url: fields.url });
  switch (event.type) {
    case 'error': {
      const reason = event.error instanceof Error ? event.error.message : String(event.error);
      log(options.logger, 'warn', { ...fields, failures: event.failures, delayMs: event.delayMs, error: reason }, 'GET notification stream failed; reconnecting');
      return;
    }
    case 'session_lost':
      log(options.logger, 'warn', fields, 'GET notification stream: the server lost the session; re-initializing');
      return;
    case 'unsupported':
      log(options.logger, 'info', fields, 'The server offers no GET notification stream (405)');
      return;
    default:
      log(options.logger, 'debug', { ...fields, event: event.type }, 'GET notification stream');
  }
}

function logListenEvent(options: ResolvedClientOptions, event: StreamEvent, fields: { url: string }): void {
  switch (event.type) {
    case 'error': {
      const reason = event.error instanceof Error ? event.error.message : String(event.error);
      log(options.logger, 'warn', { ...fields, failures: event.failures, delayMs: event.delayMs, error: reason }, 'listen stream failed; listening again');
      return;
    }
    case 'session_lost':
      log(options.logger, 'warn', fields, 'listen stream: the server refused the negotiated version or era; re-negotiating');
      return;
    case 'unsupported':
      log(options.logger, 'info', fields, 'The server offers no subscriptions/listen stream');
      return;
    default:
      log(options.logger, 'debug', { ...fields, event: event.type }, 'listen stream');
  }
}
