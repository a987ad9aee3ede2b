/**
 * Per-call option types of the MCPClient surface.
 */
import type { Progress } from '@modelcontextprotocol/client';
import type { ReplayPolicy, RetryOptions } from '../retry/index';

/**
 * Options every request method accepts.
 *
 * @example
 * ```ts
 * await client.listTools({ signal: AbortSignal.timeout(5_000) });
 * ```
 */
export interface RequestOptions {
  /** Cancels the call: it rejects with AbortError (cause = `signal.reason`) and the server is told. */
  signal?: AbortSignal;
  /** Time limit of one attempt, in ms. @default the client's `timeoutMs` */
  timeoutMs?: number;
  /**
   * This call's retry policy instead of the client's `retry`: fields you omit take `RETRY_DEFAULTS` (not the
   * client's values); `false` turns retrying and recovery off for this call. @default the client's `retry`
   */
  retry?: RetryOptions | false;
  /** When this call may be resent after its answer was lost: 'safe', 'never', 'always'. @default the client's `replay` */
  replay?: ReplayPolicy;
}

/**
 * Options of `callTool`.
 *
 * @example
 * ```ts
 * await client.callTool('slow', { steps: 5 }, { onProgress: ({ progress, total }) => console.log(progress, total) });
 * ```
 */
export interface CallToolOptions extends RequestOptions {
  /** Receives `notifications/progress` for this call. */
  onProgress?: (progress: Progress) => void;
  /** Declare the call safe to resend when its answer was lost. @default false */
  idempotent?: boolean;
  /** Reject with ToolCallError when the result has `isError: true`. @default the client's `throwOnToolError` */
  throwOnError?: boolean;
}

/**
 * Options of the list methods (`listTools`, `listResources`, ...).
 *
 * @example
 * ```ts
 * const page = await client.listResources({ cursor: previous.nextCursor });
 * ```
 */
export interface ListOptions extends RequestOptions {
  /** Fetch the page after this cursor only. Without it, every page is fetched and concatenated. */
  cursor?: string;
  /** Ignore cached results (the tool list; fresh 2026-07-28 results) and fetch again. @default false */
  refresh?: boolean;
}

/**
 * Options of `readResource`.
 *
 * @example
 * ```ts
 * const { contents } = await client.readResource('archon://status', { refresh: true });
 * ```
 */
export interface ReadResourceOptions extends RequestOptions {
  /** Ignore a cached result the server marked fresh (`ttlMs`) and read again. @default false */
  refresh?: boolean;
}

/**
 * Options of `listTools` (the same as every list; `refresh` also bypasses the tool catalog).
 *
 * @example
 * ```ts
 * const { tools } = await client.listTools({ refresh: true });
 * ```
 */
export interface ListToolsOptions extends ListOptions {
  /** Ignore the cached tool list (and cached results) and fetch it again. @default false */
  refresh?: boolean;
}
