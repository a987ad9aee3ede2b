/**
 * The contract between MCPClient (the public surface) and its connection core: the options of one request,
 * and what the core asks of the surface (notifications, subscriptions, tool annotations, cache refreshes).
 */
import type { Progress, ToolAnnotations } from '@modelcontextprotocol/client';
import type { ReplayPolicy, ResolvedRetryOptions } from '../retry/index';
import type { JsonRpcNotification } from '../transport/json-rpc';

/**
 * Options of one request through the core.
 *
 * @example
 * ```ts
 * await core.request('tools/call', params, { timeoutMs: 5_000, idempotent: true });
 * ```
 */
export interface CoreRequestOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly onProgress?: (progress: Progress) => void;
  readonly idempotent?: boolean;
  /** Skip a cached result. */
  readonly refresh?: boolean;
  /** Per-attempt extra headers (modern `Mcp-Param-*`). */
  readonly headers?: () => Readonly<Record<string, string>> | undefined;
  /** This call's resolved retry policy (`resolvePerCallOptions`), instead of the client's. */
  readonly retry?: ResolvedRetryOptions;
  /** This call's replay policy, instead of the client's. */
  readonly replay?: ReplayPolicy;
}

/**
 * What the facade tells the core about itself.
 *
 * @example
 * ```ts
 * new ClientCore(options, { onNotification() {}, subscriptions: () => [], annotationsOf: () => undefined, onRecovered() {}, refreshTools: async () => {}, onGap() {} });
 * ```
 */
export interface CoreHooks {
  onNotification(notification: JsonRpcNotification): void;
  /** Resources to subscribe to again after a re-initialize. */
  subscriptions(): Iterable<string>;
  annotationsOf(toolName: string): ToolAnnotations | undefined | Promise<ToolAnnotations | undefined>;
  /** Called after a successful re-initialize (the facade refreshes its tool cache). */
  onRecovered(): void;
  /** Fetches the tool list again now (after a -32020 HeaderMismatch). */
  refreshTools(): Promise<void>;
  /** The modern listen stream came back after a drop: list-changed notifications may have been missed. */
  onGap(): void;
}

