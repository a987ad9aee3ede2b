/**
 * How the GET notification stream waits before reconnecting, and how its events are logged. It
 * reconnects for as long as the client is open (TS-SDK #2098: the SDK's stream dies after 2 tries).
 */
import { computeDelay, retryAfterOf } from '../retry/index';
import type { ProtocolEra } from '../session/era';
import type { StreamEvent } from '../session/notification-stream';
import type { SseStreamState } from '../transport/sse-reader';
import { log } from './logger';
import type { ResolvedClientOptions } from './options';

/** Wait after the server ended the stream cleanly and sent no `retry:` (SSE's customary default). */
const AFTER_END_MS = 1_000;

/**
 * Delay before reconnect: the server's `retry:` is a floor (spec 2025-11-25: the client MUST honour it),
 * over capped jittered backoff or the Retry-After of a 503/429.
 *
 * @example
 * ```ts
 * const delayMs = streamReconnectDelay(options, 3, error, { retryMs: 500 });
 * ```
 */
export function streamReconnectDelay(options: ResolvedClientOptions, failures: number, error: unknown, state: SseStreamState): number {
  if (failures === 0) return state.retryMs ?? AFTER_END_MS;
  const backoff = computeDelay(Math.min(failures, 64), options.retry, options.random, retryAfterOf(error, options.now()));
  return Math.max(state.retryMs ?? 0, backoff);
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
