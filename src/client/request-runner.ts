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
import { RetryExhaustedError, describeTarget } from '../errors';
import { type CircuitBreaker, type ReplayPolicy, type ResolvedRetryOptions, classifyFailure, isUnreachable, retryAfterOf, runWithRetry } from '../retry/index';
import { Attempt } from '../session/attempt';
import type { ProtocolEra } from '../session/era';
import type { McpSession } from '../session/mcp-session';
import { type CallTracer, callOutcome, withTraceContext } from '../telemetry/index';
import { type CallState, attemptOnce } from './attempt-once';
import type { StatsCounter } from './client-stats';
import { runInputRounds } from './input-rounds';
import type { ReachabilityGate } from './reachability-gate';
import type { ResponseCache } from './response-cache';
import type { ResolvedClientOptions } from './options';

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
  /** The session when the client is ready now (the fast path: no wait, nothing to race). */
  ready(): McpSession | undefined;
  /** The handshake generation of the ready session (read right after `ensureReady`). */
  generation(): number;
  /** The era of the current handshake. */
  era(): ProtocolEra | undefined;
  /** Whether any handshake ever succeeded (see `probesRestart`). */
  reachedServer(): boolean;
  /** Re-initializes or re-negotiates once for everyone (a no-op when handshake `generation` was already replaced). */
  recover(generation: number, cause?: unknown): Promise<void>;
  /**
   * The client's one reachability probe during an outage: attempts are held back while it is closed, and wait
   * on it instead of probing on their own.
   */
  readonly gate: ReachabilityGate;
  /** Throws ConnectionError `degraded` while the circuit on session loss is open (calls fail fast). */
  assertNotDegraded(): void;
  /** What the handshake is in the era being negotiated: `server/discover` (modern) or `initialize` (legacy). */
  handshakeMethod(): string;
  /** Fetches the tool list again (shared by concurrent callers), after the server said the headers were stale. */
  refreshTools(): Promise<void>;
  /** The response cache (2026-07-28 `ttlMs`), unless the `cache` option turned it off. */
  readonly cache: ResponseCache | undefined;
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
  /** Skip a cached result (it is still stored afresh). */
  readonly refresh?: boolean;
  /** This call's retry policy (resolved and validated), instead of the client's. */
  readonly retry?: ResolvedRetryOptions;
  /** This call's replay policy, instead of the client's. */
  readonly replay?: ReplayPolicy;
}

/**
 * Nothing listening at an address the client has reached before means the server is restarting: probe
 * every `reconnectDelayMs` until the budget ends. Before the first success it more likely means a wrong
 * URL or a server not started yet, which should fail within the normal retries, not hang for the budget.
 */
function probesRestart(context: RunnerContext): (error: unknown) => boolean {
  return (error) => context.reachedServer() && isUnreachable(error);
}

/** The retry-loop hooks that depend on the client only: built once per client, not once per call. */
interface LoopHooks {
  readonly retryAfterMs: (error: unknown) => number | undefined;
  readonly unreachable: (error: unknown) => boolean;
  readonly waitUnreachable: (signal: AbortSignal | undefined, maxMs: number) => Promise<void>;
}

const loopHooks = new WeakMap<RunnerContext, LoopHooks>();

function loopHooksOf(context: RunnerContext): LoopHooks {
  let hooks = loopHooks.get(context);
  if (hooks === undefined) {
    const { now } = context.options;
    hooks = {
      // After a re-initialize or a re-listing the resend goes out at once; otherwise the server's hint or backoff.
      retryAfterMs: (error) => {
        const failureClass = classifyFailure(error);
        return failureClass === 'session_lost' || failureClass === 'stale_tools' ? 0 : retryAfterOf(error, now());
      },
      unreachable: probesRestart(context),
      waitUnreachable: (signal, maxMs) => context.gate.wait(signal, maxMs),
    };
    loopHooks.set(context, hooks);
  }
  return hooks;
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
  // The handshake is `server/discover` or `initialize`, whichever the negotiation sent last: messages say which.
  const scope = new Attempt({ signal, timeoutMs: options.totalTimeoutMs, kind: 'total', url: options.url, method: context.handshakeMethod });
  const untrack = context.track(scope);
  try {
    await runWithRetry(
      async () => {
        context.breaker?.check();
        context.assertNotDegraded();
        if (!context.gate.admit()) throw context.gate.heldBack();
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
        waitUnreachable: (waitSignal, maxMs) => context.gate.wait(waitSignal, maxMs),
        operation: () => describeTarget(`the handshake (${context.handshakeMethod()})`, options.url),
        onRetry: ({ attempt, delayMs, error }) => {
          context.stats.retries++;
          context.onRetry({ method: context.handshakeMethod(), attempt, delayMs, cause: error });
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
  const { options, tracer, cache } = context;
  const cached = request.refresh ? undefined : cache?.get(request.method, request.params);
  if (cached !== undefined) {
    context.stats.cacheHits++;
    return cached;
  }
  context.stats.calls++;
  // Only the first call(s) of a process wait here, for the one-time import of @opentelemetry/api ('auto').
  if (tracer.pending !== undefined) await tracer.pending;
  const span = tracer.start(request.method, request.params);
  // One traceparent for every attempt: the server's spans hang under this call's span, whichever attempt
  // reached it (OTel MCP semantic conventions, "Context propagation").
  const sent = span.traceparent === undefined ? request : { ...request, params: withTraceContext(request.params, span) };
  const scope = new Attempt({ signal: request.signal, timeoutMs: options.totalTimeoutMs, kind: 'total', url: options.url, method: request.method });
  const untrack = context.track(scope);
  const call: CallState = { refreshedTools: false, finalError: undefined };
  const retry = request.retry ?? options.retry;
  const hooks = loopHooksOf(context);
  // One round of a multi-round call: a request under the retry policy (its own new id per attempt).
  const sendRound = (params: Record<string, unknown> | undefined): Promise<Record<string, unknown>> =>
    runWithRetry((attemptNumber) => {
      span.attempt(attemptNumber);
      return attemptOnce(context, params === sent.params ? sent : { ...sent, params }, call, scope, span);
    }, {
      retry,
      scope,
      raceAttempts: false,
      random: options.random,
      now: options.now,
      shouldRetry: (error) => error !== call.finalError && classifyFailure(error) !== 'definite',
      retryAfterMs: hooks.retryAfterMs,
      unreachable: hooks.unreachable,
      waitUnreachable: hooks.waitUnreachable,
      operation: () => describeTarget(request.method, options.url),
      onRetry: ({ attempt, delayMs, error }) => {
        context.stats.retries++;
        context.onRetry({ method: request.method, attempt, delayMs, cause: error });
      },
    });
  try {
    let rounds = 0;
    const result = await runInputRounds(sendRound, request.method, sent.params, {
      handlers: options.handlers,
      maxRounds: options.maxInputRounds,
      scope,
      era: () => context.era(),
      onRound: () => {
        rounds++;
        context.stats.inputRounds++;
      },
    });
    // A result reached through input rounds depends on inputs outside the cache key: never stored (spec caching).
    if (rounds === 0) cache?.set(request.method, request.params, result);
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
