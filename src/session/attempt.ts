/**
 * One attempt's cancellation: the caller's signal, the per-attempt timer and the client's close, folded
 * into one AbortController. One controller and one timer per attempt, both released in `dispose()`,
 * so nothing outlives the attempt (STYLE.md #8); cheaper than `AbortSignal.any` + `AbortSignal.timeout`.
 */
import { AbortError, ClosedError, TimeoutError, describeTarget, type McpClientError } from '../errors';

/**
 * Why an attempt was cancelled.
 *
 * @example
 * ```ts
 * if (attempt.end === 'timeout') console.warn('attempt timed out');
 * ```
 */
export type AttemptEnd = 'aborted' | 'timeout' | 'closed';

/**
 * The cancellation scope of one request attempt.
 *
 * @example
 * ```ts
 * const attempt = new Attempt({ signal: options.signal, timeoutMs: 60_000 });
 * try { await exchange.post(request, { signal: attempt.signal }); }
 * catch (error) { throw attempt.explain(error); }
 * finally { attempt.dispose(); }
 * ```
 */
export class Attempt {
  readonly #controller = new AbortController();
  readonly #userSignal: AbortSignal | undefined;
  readonly #timeoutMs: number;
  readonly #kind: 'attempt' | 'total';
  /** Named in the TimeoutError message ("tools/call to http://host/mcp"); formatted only on timeout. */
  readonly #url: URL | undefined;
  readonly #method: string | undefined;
  readonly #timer: ReturnType<typeof setTimeout> | undefined;
  #end: AttemptEnd | undefined;
  readonly #onUserAbort = (): void => this.cancel('aborted');

  /** `kind` names the limit in the TimeoutError: one attempt (`timeoutMs`) or a whole call (`totalTimeoutMs`). */
  constructor(options: { signal?: AbortSignal; timeoutMs: number; kind?: 'attempt' | 'total'; url?: URL; method?: string }) {
    this.#userSignal = options.signal;
    this.#timeoutMs = options.timeoutMs;
    this.#kind = options.kind ?? 'attempt';
    this.#url = options.url;
    this.#method = options.method;
    if (options.signal?.aborted) {
      this.cancel('aborted');
      return;
    }
    options.signal?.addEventListener('abort', this.#onUserAbort, { once: true });
    if (Number.isFinite(options.timeoutMs)) {
      this.#timer = setTimeout(() => this.cancel('timeout'), options.timeoutMs);
    }
  }

  /** The signal to hand to the HTTP stack. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Why the attempt was cancelled, if it was. */
  get end(): AttemptEnd | undefined {
    return this.#end;
  }

  /** Cancels the attempt; the first reason wins. */
  cancel(end: AttemptEnd): void {
    if (this.#end !== undefined) return;
    this.#end = end;
    this.#controller.abort(this.#typedError(end));
  }

  /** The typed error for a cancelled attempt, or `error` unchanged when the attempt was not cancelled. */
  explain(error: unknown): unknown {
    return this.#end === undefined ? error : this.#typedError(this.#end, error);
  }

  /** Releases the timer and the listener on the caller's signal. Idempotent. */
  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#userSignal?.removeEventListener('abort', this.#onUserAbort);
  }

  #describeTarget(): string {
    if (this.#url === undefined) return `The ${this.#kind === 'total' ? 'call' : 'attempt'}`;
    return describeTarget(this.#method ?? 'Request', this.#url);
  }

  #typedError(end: AttemptEnd, cause?: unknown): McpClientError {
    switch (end) {
      case 'aborted': {
        // The caller's signal may itself be a call scope that ended (total timeout, close): pass its error on.
        const reason: unknown = this.#userSignal?.reason;
        if (reason instanceof TimeoutError || reason instanceof ClosedError) return reason;
        return new AbortError('The operation was aborted', { cause: reason ?? cause });
      }
      case 'timeout':
        return new TimeoutError(`${this.#describeTarget()} timed out after ${this.#timeoutMs} ms (\`${this.#kind === 'total' ? 'totalTimeoutMs' : 'timeoutMs'}\`)`, {
          timeoutMs: this.#timeoutMs,
          kind: this.#kind,
          cause,
        });
      case 'closed':
        return new ClosedError('The MCP client was closed while the request was in flight', { cause });
    }
  }
}
