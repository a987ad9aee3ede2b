import type { ServerLogger } from '../session-options';
import type { RequestRecord, SessionStore, SessionTouch } from '../stores/types';

/** Request records queued beyond this are dropped (and counted): tracking must never grow without bound. */
const MAX_QUEUED_REQUESTS = 50_000;

/**
 * Writes activity behind the request path, in batches: the latest `lastActivityAt`/`expiresAt` per session
 * (protocol or application session) and request records, every `flushMs`, and once more on `close()`. Nothing
 * written here is part of the durability contract (session creation and resumption events are written before
 * they are acknowledged, elsewhere); a lost batch at a crash costs at most `flushMs` of activity, which only
 * makes an expiry come that much earlier.
 *
 * @example
 * ```ts
 * const writer = new ActivityWriter(store, { flushMs: 1_000, logger });
 * writer.touch({ kind: 'session', sessionId, lastActivityAt: now, expiresAt });
 * await writer.close();
 * ```
 */
export class ActivityWriter {
  readonly #store: SessionStore;
  readonly #flushMs: number;
  readonly #logger: ServerLogger;
  #touches = new Map<string, SessionTouch>();
  #requests: RequestRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #dropped = 0;

  readonly #onFailure: () => void;

  /** `onFailure`: a batch could not be written (the store is down or failing). */
  constructor(store: SessionStore, options: { flushMs: number; logger: ServerLogger; onFailure?: () => void }) {
    this.#store = store;
    this.#flushMs = options.flushMs;
    this.#logger = options.logger;
    this.#onFailure = options.onFailure ?? (() => undefined);
  }

  /** Records activity; only the latest touch per id is written. */
  touch(touch: SessionTouch): void {
    this.#touches.set(`${touch.kind ?? 'session'}:${touch.sessionId}`, touch);
    this.#arm();
  }

  track(record: RequestRecord): void {
    if (this.#requests.length >= MAX_QUEUED_REQUESTS) {
      this.#dropped += 1;
      return;
    }
    this.#requests.push(record);
    this.#arm();
  }

  /** Request records dropped because the queue was full (the store was down or slow for long). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Writes everything queued now; resolves when written (or failed and re-queued). */
  flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  async close(): Promise<void> {
    await this.flush();
  }

  #arm(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#flushMs);
    this.#timer.unref();
  }

  async #write(): Promise<void> {
    const touches = [...this.#touches.values()];
    const requests = this.#requests;
    this.#touches = new Map();
    this.#requests = [];
    if (touches.length > 0) {
      try {
        await this.#store.touchMany(touches);
      } catch (error) {
        // Newer touches that arrived meanwhile win; the rest are retried with the next batch.
        for (const touch of touches) {
          const key = `${touch.kind ?? 'session'}:${touch.sessionId}`;
          if (!this.#touches.has(key)) this.#touches.set(key, touch);
        }
        this.#onFailure();
        this.#logger.warn?.({ msg: 'activity write failed; retrying with the next batch', error: String(error) });
        this.#arm();
      }
    }
    if (requests.length > 0) {
      try {
        await this.#store.trackRequests(requests);
      } catch (error) {
        this.#onFailure();
        this.#logger.warn?.({ msg: 'request tracking failed', records: requests.length, error: String(error) });
      }
    }
  }
}
