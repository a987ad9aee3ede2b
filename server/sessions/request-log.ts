import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/server';
import type { RequestRecord } from '../stores/types';

/** Requests waiting for their response, across sessions; beyond it the oldest is recorded as it stands. */
const MAX_PENDING = 10_000;

interface Pending {
  record: RequestRecord;
}

function methodOf(message: JSONRPCMessage): string | undefined {
  return 'method' in message ? message.method : undefined;
}

function toolOf(message: JSONRPCMessage): string | null {
  if (methodOf(message) !== 'tools/call' || !('params' in message)) return null;
  const name = (message.params as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : null;
}

/**
 * Turns traffic into request records (method, tool, HTTP status, duration). A request's duration runs until its
 * JSON-RPC response is sent, not until the HTTP response starts: SSE answers start before the tool runs.
 * Records go to `write` (the store's write-behind queue).
 *
 * @example
 * ```ts
 * const log = new RequestLog((record) => writer.track(record));
 * log.begin('session-1', messages, Date.now());
 * ```
 */
export class RequestLog {
  readonly #write: (record: RequestRecord) => void;
  readonly #now: () => number;
  readonly #pending = new Map<string, Pending>();

  constructor(write: (record: RequestRecord) => void, now: () => number = Date.now) {
    this.#write = write;
    this.#now = now;
  }

  /**
   * Records the messages of one POST (or a GET/DELETE when `messages` is empty, which records nothing). Requests
   * stay pending until `complete` or `settle`; notifications and responses are recorded by `settle`.
   */
  begin(sessionId: string, messages: readonly JSONRPCMessage[], startedAt: number): RequestBatch {
    const requests: string[] = [];
    const others: RequestRecord[] = [];
    for (const message of messages) {
      const method = methodOf(message);
      if (method === undefined) continue;
      const requestId = 'id' in message && message.id !== undefined ? message.id : null;
      const record: RequestRecord = { sessionId, requestId, method, tool: toolOf(message), startedAt, durationMs: 0, status: 200 };
      if (requestId === null) {
        others.push(record);
        continue;
      }
      const key = `${sessionId}\u0000${String(requestId)}`;
      this.#pending.set(key, { record });
      requests.push(key);
      if (this.#pending.size > MAX_PENDING) this.#flushOldest();
    }
    return {
      settle: (status, answered) => {
        for (const record of others) this.#write({ ...record, status, durationMs: this.#now() - record.startedAt });
        // A refusal (or an answer that carried the responses itself) ends every request of the batch now.
        if (answered) for (const key of requests) this.#finish(key, status);
        else for (const key of requests) this.#setStatus(key, status);
      },
    };
  }

  /** The JSON-RPC response of `requestId` went out. */
  complete(sessionId: string, requestId: RequestId): void {
    this.#finish(`${sessionId}\u0000${String(requestId)}`);
  }

  /** Records whatever a closing session still had pending. */
  flushSession(sessionId: string): void {
    const prefix = `${sessionId}\u0000`;
    for (const key of [...this.#pending.keys()]) if (key.startsWith(prefix)) this.#finish(key);
  }

  #setStatus(key: string, status: number): void {
    const pending = this.#pending.get(key);
    if (pending !== undefined) pending.record.status = status;
  }

  #finish(key: string, status?: number): void {
    const pending = this.#pending.get(key);
    if (pending === undefined) return;
    this.#pending.delete(key);
    const { record } = pending;
    this.#write({ ...record, status: status ?? record.status, durationMs: this.#now() - record.startedAt });
  }

  #flushOldest(): void {
    const oldest = this.#pending.keys().next();
    if (!oldest.done) this.#finish(oldest.value);
  }
}

/**
 * The records of one POST, settled once its HTTP answer is known.
 *
 * @example
 * ```ts
 * batch.settle(response.status, response.status !== 200);
 * ```
 */
export interface RequestBatch {
  /** `answered`: the HTTP answer is final for every request in it (a refusal), so none waits for `complete`. */
  settle(status: number, answered: boolean): void;
}
