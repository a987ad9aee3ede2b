/**
 * Builds what the request runner needs from the client core (`RunnerContext`): the core's state behind
 * callbacks, the tracer, and the `retry` event and log line of every resend.
 */
import type { CircuitBreaker } from '../retry/index';
import type { Attempt } from '../session/attempt';
import type { ProtocolEra } from '../session/era';
import type { McpSession } from '../session/mcp-session';
import { describeFailure } from '../errors/describe-failure';
import { createCallTracer } from '../telemetry/index';
import type { CoreHooks } from './client-core';
import type { MCPClientEvents } from './client-events';
import type { StatsCounter } from './client-stats';
import type { TypedEmitter } from './events';
import { log } from './logger';
import type { ResolvedClientOptions } from './options';
import type { RunnerContext } from './request-runner';
import type { ReachabilityGate } from './reachability-gate';
import type { ResponseCache } from './response-cache';

/**
 * The core's parts the runner reads.
 *
 * @example
 * ```ts
 * const context = createRunnerContext({ options, stats, breaker, cache, hooks, events, scopes, ...accessors });
 * ```
 */
export interface RunnerContextParts {
  readonly options: ResolvedClientOptions;
  readonly stats: StatsCounter;
  readonly breaker: CircuitBreaker | undefined;
  readonly cache: ResponseCache | undefined;
  readonly hooks: CoreHooks;
  readonly events: TypedEmitter<MCPClientEvents>;
  /** Call scopes close() ends. */
  readonly scopes: Set<Attempt>;
  mcpSessionId(): string | undefined;
  protocolVersion(): string | undefined;
  ensureReady(): Promise<McpSession>;
  ready(): McpSession | undefined;
  generation(): number;
  era(): ProtocolEra | undefined;
  reachedServer(): boolean;
  recover(generation: number, cause?: unknown): Promise<void>;
  /** The client's shared reachability probe. */
  readonly gate: ReachabilityGate;
  /** Throws ConnectionError `degraded` while the circuit on session loss is open. */
  assertNotDegraded(): void;
  /** The handshake method of the era being negotiated (`server/discover` or `initialize`), for messages and events. */
  handshakeMethod(): string;
}

/**
 * The runner's view of one client core.
 *
 * @example
 * ```ts
 * const runner = createRunnerContext(parts);
 * await runRequest(runner, { method: 'tools/list', params: undefined });
 * ```
 */
export function createRunnerContext(parts: RunnerContextParts): RunnerContext {
  const { options, hooks, events, scopes } = parts;
  return {
    options,
    stats: parts.stats,
    breaker: parts.breaker,
    cache: parts.cache,
    tracer: createCallTracer({
      tracing: options.tracing,
      tracer: options.tracer,
      serverUrl: options.url,
      mcpSessionId: parts.mcpSessionId,
      protocolVersion: parts.protocolVersion,
      onUnavailable: (error) =>
        log(options.logger, 'warn', { error: String(error) }, 'tracing is on but @opentelemetry/api could not be loaded; calls are not traced'),
    }),
    ensureReady: parts.ensureReady,
    ready: parts.ready,
    generation: parts.generation,
    era: parts.era,
    reachedServer: parts.reachedServer,
    recover: parts.recover,
    gate: parts.gate,
    assertNotDegraded: parts.assertNotDegraded,
    handshakeMethod: parts.handshakeMethod,
    track: (scope) => {
      scopes.add(scope);
      return () => scopes.delete(scope);
    },
    onRetry: (info) => {
      log(
        options.logger,
        'debug',
        { method: info.method, attempt: info.attempt, delayMs: info.delayMs, error: describeFailure(info.cause) },
        'retrying an MCP request',
      );
      events.emit('retry', info);
    },
    annotationsOf: (name) => hooks.annotationsOf(name),
    refreshTools: () => hooks.refreshTools(),
  };
}
