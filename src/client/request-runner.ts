/**
 * The call path with resilience (DESIGN.md "The client contract"): every failed attempt is classified
 * once (`classifyFailure`) and handled by class:
 * - not delivered: wait (backoff or Retry-After, capped) and resend;
 * - session lost: one shared re-initialize, then resend at once;
 * - response lost: resume with GET + Last-Event-ID if an event id was seen, else resend only if
 *   replay-safe, else `MaybeExecutedError`;
 * - definite: reject.
 */
import type { Progress, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { MaybeExecutedError, RetryExhaustedError, SessionExpiredError, TimeoutError, describeFailure, describeTarget, redactUrl } from '../errors';
import { type CircuitBreaker, classifyFailure, isReplaySafe, isUnreachable, retryAfterOf, runWithRetry, sleep } from '../retry/index';
import { Attempt } from '../session/attempt';
import type { McpSession } from '../session/mcp-session';
import { type CallSpan, type CallTracer, callOutcome, withTraceContext } from '../telemetry/index';
import type { SseStreamState } from '../transport/sse-reader';
import type { StatsCounter } from './client-stats';
import { log } from './logger';
import type { ResolvedClientOptions } from './options';

/** Resumes of one attempt's stream, each of which must have made progress (a new event id). */
const MAX_RESUMES = 5;

/**
 * What the runner needs from the client core.
 *
 * @example
 * ```ts
 * await runRequest(context, { method: 'ping', params: undefined });
 * ```
 */
export interface RunnerContext {
  readonly options: ResolvedClientOptions;
  readonly stats: StatsCounter;
  readonly breaker: CircuitBreaker | undefined;
  /** Spans and `_meta.traceparent` of calls (a no-op without `@opentelemetry/api` or with `tracing: false`). */
  readonly tracer: CallTracer;
  /** The ready session: connects, or finishes a pending recovery, first (shared; callers race it with their signal). */
  ensureReady(): Promise<McpSession>;
  /** Whether any initialize ever succeeded (see `probesRestart`). */
  reachedServer(): boolean;
  /** Re-initializes once for everyone (a no-op when the lost session was already replaced). */
  recover(error: SessionExpiredError): Promise<void>;
  /** Registers a call scope so close() can end it; returns the unregister function. */
  track(scope: Attempt): () => void;
  onRetry(info: { method: string; attempt: number; delayMs: number; cause: unknown }): void;
  /**
   * The tool's annotations: from the cache, or learned with one shared `tools/list` when the cache is
   * empty (a read-only tool must be resent even if the caller never listed tools).
   */
  annotationsOf(toolName: string): ToolAnnotations | undefined | Promise<ToolAnnotations | undefined>;
}

/**
 * One request as the surface methods describe it.
 *
 * @example
 * ```ts
 * const request: RunnerRequest = { method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } }, idempotent: true };
 * ```
 */
export interface RunnerRequest {
  readonly method: string;
  readonly params: Record<string, unknown> | undefined;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly onProgress?: (progress: Progress) => void;
  /** The caller vouches that a resend is harmless. */
  readonly idempotent?: boolean;
}

function toolNameOf(request: RunnerRequest): string | undefined {
  const name = request.params?.name;
  return request.method === 'tools/call' && typeof name === 'string' ? name : undefined;
}

async function replaySafe(context: RunnerContext, request: RunnerRequest): Promise<boolean> {
  const { replay: policy, trustAnnotations } = context.options;
  const base = { method: request.method, idempotent: request.idempotent, policy, trustAnnotations };
  if (isReplaySafe(base)) return true;
  const toolName = toolNameOf(request);
  // Only a trusted annotation can still make it safe; learn it only when it could matter.
  if (toolName === undefined || policy !== 'safe' || !trustAnnotations) return false;
  try {
    return isReplaySafe({ ...base, toolAnnotations: await context.annotationsOf(toolName) });
  } catch {
    return false; // the tool list could not be fetched: stay on the safe side
  }
}

async function resumeStream(
  session: McpSession,
  id: number,
  stream: SseStreamState,
  request: RunnerRequest,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  for (let round = 1; ; round++) {
    const seen = stream.lastEventId;
    // The server's SSE `retry:` is the wait before reconnecting (spec 2025-11-25 "Resumability": the
    // client MUST respect it; the official conformance scenario sse-retry fails a 2 ms reconnect).
    if (stream.retryMs !== undefined && stream.retryMs > 0) await sleep(stream.retryMs, signal);
    try {
      return await session.resume(id, { stream, signal, timeoutMs, onProgress: request.onProgress });
    } catch (error) {
      // Another cut after new events: resume again from the newer id; no progress or another class: give up.
      if (round >= MAX_RESUMES || classifyFailure(error) !== 'response_lost' || stream.lastEventId === seen) throw error;
    }
  }
}

async function attemptOnce(context: RunnerContext, request: RunnerRequest, signal: AbortSignal, span: CallSpan): Promise<Record<string, unknown>> {
  context.breaker?.check();
  const session = await context.ensureReady();
  const timeoutMs = request.timeoutMs ?? context.options.timeoutMs;
  const stream: SseStreamState = {};
  const id = session.nextId();
  span.sent(id);
  try {
    return await session.request(request.method, request.params, { id, signal, timeoutMs, onProgress: request.onProgress, stream });
  } catch (error) {
    if (context.options.retry.retries === 0) throw error;
    const failureClass = classifyFailure(error);
    if (failureClass === 'session_lost') {
      // 404 for a request carrying the session id: the server never ran it, so a resend is safe.
      await context.recover(error as SessionExpiredError);
      throw error;
    }
    if (failureClass !== 'response_lost') throw error;
    let lost: unknown = error;
    // A timed-out attempt was cancelled (notifications/cancelled); its stream will never carry the result.
    const resumable = stream.lastEventId !== undefined && !(error instanceof TimeoutError);
    if (resumable) {
      try {
        const result = await resumeStream(session, id, stream, request, signal, timeoutMs);
        context.stats.resumes++;
        log(context.options.logger, 'info', { method: request.method, lastEventId: stream.lastEventId }, 'resumed a cut response stream with Last-Event-ID');
        return result;
      } catch (resumeError) {
        if (signal.aborted) throw resumeError;
        lost = resumeError;
        if (resumeError instanceof SessionExpiredError) await context.recover(resumeError).catch(() => {});
      }
    }
    if (await replaySafe(context, request)) throw error; // the loop resends
    context.stats.replaysRefused++;
    const toolName = toolNameOf(request);
    log(context.options.logger, 'warn', { method: request.method, toolName, error: describeFailure(lost) }, 'the answer was lost and the call is not replay-safe; not resending');
    throw new MaybeExecutedError(
      `The answer to ${toolName === undefined ? request.method : `tool ${toolName}`} from ${redactUrl(context.options.url)} ` +
        `was lost after the request reached the server (${describeFailure(lost)}), and it is not safe to send it again`,
      { method: request.method, toolName, cause: lost },
    );
  }
}

/**
 * Nothing listening at an address the client has reached before means the server is restarting: probe
 * every `reconnectDelayMs` until the budget ends. Before the first success it more likely means a wrong
 * URL or a server not started yet, which should fail within the normal retries, not hang for the budget.
 */
function probesRestart(context: RunnerContext): (error: unknown) => boolean {
  return (error) => context.reachedServer() && isUnreachable(error);
}

/**
 * The breaker counts calls the client gave up recovering (retries or budget exhausted), not single failed
 * attempts: a server that is down for 2 s must not trip it while retries are still within budget.
 */
function recordGiveUp(context: RunnerContext, error: unknown): void {
  if (error instanceof RetryExhaustedError) context.breaker?.recordFailure();
}

/**
 * Connects (or finishes a pending recovery) under the retry policy and the breaker: `connect()` gets the
 * treatment of 503/429/refused that every call gets.
 *
 * @example
 * ```ts
 * await runConnect(context, signal);
 * ```
 */
export async function runConnect(context: RunnerContext, signal: AbortSignal | undefined): Promise<void> {
  const { options } = context;
  const scope = new Attempt({ signal, timeoutMs: options.totalTimeoutMs, kind: 'total', url: options.url, method: 'initialize' });
  const untrack = context.track(scope);
  try {
    await runWithRetry(
      async () => {
        context.breaker?.check();
        await context.ensureReady();
      },
      {
        retry: options.retry,
        signal: scope.signal,
        random: options.random,
        now: options.now,
        shouldRetry: (error) => classifyFailure(error) === 'not_delivered',
        retryAfterMs: (error) => retryAfterOf(error, options.now()),
        unreachable: probesRestart(context),
        operation: () => describeTarget('initialize', options.url),
        onRetry: ({ attempt, delayMs, error }) => {
          context.stats.retries++;
          context.onRetry({ method: 'initialize', attempt, delayMs, cause: error });
        },
      },
    );
    context.breaker?.recordSuccess();
  } catch (error) {
    recordGiveUp(context, error);
    throw scope.end === undefined ? error : scope.explain(error);
  } finally {
    scope.dispose();
    untrack();
  }
}

/**
 * Runs one request under the retry policy, the per-call `totalTimeoutMs` and the circuit breaker.
 *
 * @example
 * ```ts
 * const result = await runRequest(context, { method: 'tools/list', params: {} });
 * ```
 */
export async function runRequest(context: RunnerContext, request: RunnerRequest): Promise<Record<string, unknown>> {
  const { options, tracer } = context;
  context.stats.calls++;
  // Only the first call(s) of a process wait here, for the one-time import of @opentelemetry/api ('auto').
  if (tracer.pending !== undefined) await tracer.pending;
  const span = tracer.start(request.method, request.params);
  // One traceparent for every attempt: the server's spans hang under this call's span, whichever attempt
  // reached it (OTel MCP semantic conventions, "Context propagation").
  const sent = span.traceparent === undefined ? request : { ...request, params: withTraceContext(request.params, span) };
  const scope = new Attempt({ signal: request.signal, timeoutMs: options.totalTimeoutMs, kind: 'total', url: options.url, method: request.method });
  const untrack = context.track(scope);
  try {
    const result = await runWithRetry((attemptNumber) => {
      span.attempt(attemptNumber);
      return attemptOnce(context, sent, scope.signal, span);
    }, {
      retry: options.retry,
      signal: scope.signal,
      random: options.random,
      now: options.now,
      shouldRetry: (error) => classifyFailure(error) !== 'definite',
      // After a re-initialize the resend goes out at once; otherwise the server's hint or backoff.
      retryAfterMs: (error) => (error instanceof SessionExpiredError ? 0 : retryAfterOf(error, options.now())),
      unreachable: probesRestart(context),
      operation: () => describeTarget(request.method, options.url),
      onRetry: ({ attempt, delayMs, error }) => {
        context.stats.retries++;
        context.onRetry({ method: request.method, attempt, delayMs, cause: error });
      },
    });
    context.breaker?.recordSuccess();
    span.end(callOutcome(request.method, result));
    return result;
  } catch (error) {
    recordGiveUp(context, error);
    const failure = scope.end === undefined ? error : scope.explain(error);
    span.end('error', failure);
    throw failure;
  } finally {
    scope.dispose();
    untrack();
  }
}
