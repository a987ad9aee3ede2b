/**
 * The call path with resilience (DESIGN.md "The client contract"), one policy for both protocol eras: every
 * failed attempt is classified once (`classifyFailure`) and handled by class:
 * - not delivered: wait (backoff or Retry-After, capped) and resend;
 * - session lost: one shared re-initialize (legacy) or re-negotiation (modern), then resend at once;
 * - stale tools (modern -32020): re-list the tools once, then resend at once;
 * - response lost: resume with GET + Last-Event-ID if an event id was seen (legacy only: the modern era has
 *   no resumption), else resend under a new id only if replay-safe, else `MaybeExecutedError`;
 * - definite: reject.
 */
import type { Progress, ToolAnnotations } from '@modelcontextprotocol/client';
import { MaybeExecutedError, RetryExhaustedError, TimeoutError } from '../errors';
import { type CircuitBreaker, classifyFailure, isReplaySafe, isUnreachable, retryAfterOf, runWithRetry, sleep } from '../retry/index';
import { Attempt } from '../session/attempt';
import type { ProtocolEra } from '../session/era';
import type { McpSession } from '../session/mcp-session';
import { type CallSpan, type CallTracer, callOutcome, withTraceContext } from '../telemetry/index';
import type { SseStreamState } from '../transport/sse-reader';
import type { StatsCounter } from './client-stats';
import { runInputRounds } from './input-rounds';
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
  /** The handshake generation of the ready session (read right after `ensureReady`). */
  generation(): number;
  /** The era of the current handshake. */
  era(): ProtocolEra | undefined;
  /** Whether any handshake ever succeeded (see `probesRestart`). */
  reachedServer(): boolean;
  /** Re-initializes or re-negotiates once for everyone (a no-op when handshake `generation` was already replaced). */
  recover(generation: number): Promise<void>;
  /** Fetches the tool list again (shared by concurrent callers), after the server said the headers were stale. */
  refreshTools(): Promise<void>;
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
  /** Per-attempt extra headers (the modern `Mcp-Param-*`, read again after the tool list was refreshed). */
  readonly headers?: () => Readonly<Record<string, string>> | undefined;
}

/**
 * What one call remembers across its attempts.
 *
 * @example
 * ```ts
 * const call: CallState = { refreshedTools: false, final: new WeakSet() };
 * ```
 */
interface CallState {
  /** Tools were re-listed after a -32020 once already: a second one is final. */
  refreshedTools: boolean;
  /** Errors the call decided not to retry whatever their class. */
  readonly final: WeakSet<object>;
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

async function attemptOnce(
  context: RunnerContext,
  request: RunnerRequest,
  call: CallState,
  signal: AbortSignal,
  span: CallSpan,
): Promise<Record<string, unknown>> {
  context.breaker?.check();
  const session = await context.ensureReady();
  const generation = context.generation();
  const timeoutMs = request.timeoutMs ?? context.options.timeoutMs;
  const stream: SseStreamState = {};
  // A new id per attempt: a resend is a new request (spec 2026-07-28 "a broken response stream ... MUST
  // re-issue it as a new request with a new request ID"; harmless in the legacy era).
  const id = session.nextId();
  span.sent(id);
  try {
    return await session.request(request.method, request.params, { id, signal, timeoutMs, onProgress: request.onProgress, stream, headers: request.headers?.() });
  } catch (error) {
    if (context.options.retry.retries === 0) throw error;
    const failureClass = classifyFailure(error);
    if (failureClass === 'session_lost') {
      // The server refused the session or the era before running the request, so a resend is safe.
      await context.recover(generation);
      throw error;
    }
    if (failureClass === 'stale_tools') {
      // -32020 came before the server ran the request; re-list once (the headers are read again), then resend.
      if (call.refreshedTools || typeof error !== 'object' || error === null) {
        if (typeof error === 'object' && error !== null) call.final.add(error);
        throw error;
      }
      call.refreshedTools = true;
      await context.refreshTools();
      throw error;
    }
    if (failureClass !== 'response_lost') throw error;
    let lost: unknown = error;
    // A timed-out attempt was cancelled (notifications/cancelled); its stream will never carry the result.
    // The modern era has no resumption: its broken stream leaves only the resend-or-refuse branch below.
    const resumable = session.era === 'legacy' && stream.lastEventId !== undefined && !(error instanceof TimeoutError);
    if (resumable) {
      try {
        const result = await resumeStream(session, id, stream, request, signal, timeoutMs);
        context.stats.resumes++;
        return result;
      } catch (resumeError) {
        if (signal.aborted) throw resumeError;
        lost = resumeError;
        if (classifyFailure(resumeError) === 'session_lost') await context.recover(generation).catch(() => {});
      }
    }
    if (await replaySafe(context, request)) throw error; // the loop resends
    context.stats.replaysRefused++;
    const toolName = toolNameOf(request);
    throw new MaybeExecutedError(
      `The answer to ${toolName === undefined ? request.method : `tool ${toolName}`} was lost after the request reached the server, ` +
        'and it is not safe to send it again',
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
  const scope = new Attempt({ signal, timeoutMs: options.totalTimeoutMs, kind: 'total' });
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
  const scope = new Attempt({ signal: request.signal, timeoutMs: options.totalTimeoutMs, kind: 'total' });
  const untrack = context.track(scope);
  const call: CallState = { refreshedTools: false, final: new WeakSet() };
  // One round of a multi-round call: a request under the retry policy (its own new id per attempt).
  const sendRound = (params: Record<string, unknown> | undefined): Promise<Record<string, unknown>> =>
    runWithRetry((attemptNumber) => {
      span.attempt(attemptNumber);
      return attemptOnce(context, params === sent.params ? sent : { ...sent, params }, call, scope.signal, span);
    }, {
      retry: options.retry,
      signal: scope.signal,
      random: options.random,
      now: options.now,
      shouldRetry: (error) => classifyFailure(error) !== 'definite' && !(typeof error === 'object' && error !== null && call.final.has(error)),
      // After a re-initialize or a re-listing the resend goes out at once; otherwise the server's hint or backoff.
      retryAfterMs: (error) => {
        const failureClass = classifyFailure(error);
        return failureClass === 'session_lost' || failureClass === 'stale_tools' ? 0 : retryAfterOf(error, options.now());
      },
      unreachable: probesRestart(context),
      onRetry: ({ attempt, delayMs, error }) => {
        context.stats.retries++;
        context.onRetry({ method: request.method, attempt, delayMs, cause: error });
      },
    });
  try {
    const result = await runInputRounds(sendRound, request.method, sent.params, {
      handlers: options.handlers,
      maxRounds: options.maxInputRounds,
      signal: scope.signal,
      era: () => context.era(),
      onRound: () => context.stats.inputRounds++,
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
