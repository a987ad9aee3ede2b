/**
 * Per-call option types of the MCPClient surface.
 */
import type { Progress } from '@modelcontextprotocol/client';

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
}

/**
 * Options of `listTools`.
 *
 * @example
 * ```ts
 * const { tools } = await client.listTools({ refresh: true });
 * ```
 */
export interface ListToolsOptions extends ListOptions {
  /** Ignore the cached list and fetch it again. @default false */
  refresh?: boolean;
}
