/**
 * One attempt's cancellation: the caller's signal, the per-attempt timer, the client's close and the call's
 * own scope, folded into one AbortController. Two things keep this cheap on the hot path (the profile of
 * issue 8: two AbortSignals and their listeners per call were a measurable share of the client's CPU):
 * - the AbortController is created only when someone asks for `signal` (a call scope that never has to
 *   wait between attempts never builds one), and the HTTP request gets the attempt itself as its signal
 *   (`AbortSignalLike`: `aborted`, `reason`, one abort listener), which undici accepts as is;
 * - a child attempt hangs on its `parent` scope directly (the scope cancels its children when it ends), so
 *   no abort listener is added to and removed from a signal per attempt.
 * One timer per attempt, released in `dispose()`, so nothing outlives the attempt (STYLE.md #8).
 */
import { AbortError, ClosedError, ConnectionError, TimeoutError, describeTarget, type McpClientError } from '../errors';

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
 * The cancellation scope of one request attempt, or (kind `total`) of a whole call.
 *
 * @example
 * ```ts
 * const call = new Attempt({ signal: options.signal, timeoutMs: 120_000, kind: 'total' });
 * const attempt = new Attempt({ parent: call, timeoutMs: 60_000 });
 * try { await exchange.post(request, { signal: attempt.signal }); }
 * catch (error) { throw attempt.explain(error); }
 * finally { attempt.dispose(); call.dispose(); }
 * ```
 */
export class Attempt {
  #controller: AbortController | undefined;
  readonly #userSignal: AbortSignal | undefined;
  readonly #parent: Attempt | undefined;
  readonly #children = new Set<Attempt>();
  readonly #timeoutMs: number;
  readonly #kind: 'attempt' | 'total';
  /** Named in the TimeoutError message ("tools/call to http://host/mcp"); formatted only on timeout. */
  readonly #url: URL | undefined;
  /** A function for a target that is known only when the message is written (the handshake of the negotiated era). */
  readonly #method: string | (() => string) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #end: AttemptEnd | undefined;
  /** The typed error the scope ended with (also what its children report). */
  #reason: McpClientError | undefined;
  /** Ended because the parent scope did: report the parent's error as it is. */
  #inherited = false;
  readonly #onUserAbort = (): void => this.cancel('aborted');
  /** Listeners of the light signal (undici adds one per request; the fetch stack's bridge one). */
  #listeners: (() => void)[] | undefined;

  /** `kind` names the limit in the TimeoutError: one attempt (`timeoutMs`) or a whole call (`totalTimeoutMs`). */
  constructor(options: {
    signal?: AbortSignal | undefined;
    parent?: Attempt;
    timeoutMs: number;
    kind?: 'attempt' | 'total';
    url?: URL;
    method?: string | (() => string);
  }) {
    this.#userSignal = options.signal;
    this.#parent = options.parent;
    this.#timeoutMs = options.timeoutMs;
    this.#kind = options.kind ?? 'attempt';
    this.#url = options.url;
    this.#method = options.method;
    const parent = options.parent;
    const parentReason = parent === undefined ? undefined : parent.#reason;
    if (options.signal?.aborted || parentReason !== undefined) {
      this.#cancelWith('aborted', parentReason);
      return;
    }
    options.signal?.addEventListener('abort', this.#onUserAbort, { once: true });
    if (parent !== undefined) parent.#children.add(this);
    if (Number.isFinite(options.timeoutMs)) this.#timer = setTimeout(() => this.cancel('timeout'), options.timeoutMs);
  }

  /** The signal to hand to the HTTP stack (created on first use; already aborted if the scope ended). */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#reason !== undefined) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** True once the scope ended, without building a signal. */
  get aborted(): boolean {
    return this.#end !== undefined;
  }

  /** The typed error the scope ended with (`AbortSignalLike.reason`). */
  get reason(): McpClientError | undefined {
    return this.#reason;
  }

  /** `AbortSignalLike`: called once when the scope ends (already ended: never; check `aborted` first). */
  addEventListener(type: 'abort', listener: () => void): void {
    if (type !== 'abort' || this.#end !== undefined) return;
    (this.#listeners ??= []).push(listener);
  }

  /** `AbortSignalLike`. */
  removeEventListener(type: 'abort', listener: () => void): void {
    const listeners = this.#listeners;
    if (type !== 'abort' || listeners === undefined) return;
    const index = listeners.indexOf(listener);
    if (index !== -1) listeners.splice(index, 1);
  }

  /** Why the attempt was cancelled, if it was. */
  get end(): AttemptEnd | undefined {
    return this.#end;
  }

  /** Cancels the attempt and its children; the first reason wins. */
  cancel(end: AttemptEnd): void {
    this.#cancelWith(end, undefined);
  }

  #cancelWith(end: AttemptEnd, inherited: McpClientError | undefined): void {
    if (this.#end !== undefined) return;
    this.#end = end;
    this.#inherited = inherited !== undefined;
    this.#reason = inherited ?? this.#typedError(end);
    this.#controller?.abort(this.#reason);
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener();
    for (const child of this.#children) child.#cancelWith('aborted', this.#reason);
    this.#children.clear();
  }

  /** The typed error for a cancelled attempt, or `error` unchanged when the attempt was not cancelled. */
  explain(error: unknown): unknown {
    if (this.#end === undefined) return error;
    // The enclosing scope ended (total timeout, close, the caller's abort): its error is the attempt's.
    if (this.#inherited && this.#reason !== undefined) return this.#reason;
    // Time ran out before the request could leave (a connect failure racing the timer, or a wait for
    // authorization, issue #11): nothing reached the server, so it is a connect-phase timeout, not a lost answer.
    if (this.#end === 'timeout' && this.#kind === 'attempt' && error instanceof ConnectionError && !error.requestSent) {
      return new TimeoutError(`The attempt timed out after ${this.#timeoutMs} ms before the request was sent`, {
        timeoutMs: this.#timeoutMs,
        kind: 'connect',
        cause: error,
      });
    }
    return this.#typedError(this.#end, error);
  }

  /** Releases the timer, the listener on the caller's signal and the place in the parent. Idempotent. */
  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#userSignal?.removeEventListener('abort', this.#onUserAbort);
    if (this.#parent !== undefined) this.#parent.#children.delete(this);
    this.#listeners = undefined;
  }

  #describeTarget(): string {
    if (this.#url === undefined) return `The ${this.#kind === 'total' ? 'call' : 'attempt'}`;
    const method = typeof this.#method === 'function' ? this.#method() : this.#method;
    return describeTarget(method ?? 'Request', this.#url);
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
