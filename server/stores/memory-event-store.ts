import type { EventId, EventStore, JSONRPCMessage, StreamId } from '@modelcontextprotocol/server';
import { resolveEventStoreLimits } from './limits';
import type { EventStoreLimits, SessionEventStore } from './types';

interface StoredEvent {
  seq: number;
  storedAt: number;
  message: JSONRPCMessage;
}

interface SessionEvents {
  nextSeq: number;
  streams: Map<StreamId, StoredEvent[]>;
}

/**
 * Event ids are `<streamId>~<seq>`: the stream is recoverable from the id alone
 * (`getStreamIdForEventId`), and `seq` is monotonic per session so replay order is total.
 * `~` never occurs in SDK stream ids (UUIDs and `_GET_stream`).
 */
const SEPARATOR = '~';

function parseEventId(eventId: EventId): { streamId: StreamId; seq: number } | undefined {
  const at = eventId.lastIndexOf(SEPARATOR);
  if (at <= 0) return undefined;
  const seq = Number(eventId.slice(at + 1));
  if (!Number.isSafeInteger(seq)) return undefined;
  return { streamId: eventId.slice(0, at), seq };
}

/**
 * An in-process {@link SessionEventStore}: per session, per stream, capped and TTL-bound.
 * Scoped per session because the SDK's GET stream id is the constant `_GET_stream` (SDK #1004, #2560).
 *
 * @example
 * ```ts
 * const events = new MemoryEventStore({ ttlMs: 60_000 });
 * const store = events.forSession('session-1');
 * const id = await store.storeEvent('_GET_stream', { jsonrpc: '2.0', method: 'ping' });
 * ```
 */
export class MemoryEventStore implements SessionEventStore {
  readonly #limits: EventStoreLimits;
  readonly #sessions = new Map<string, SessionEvents>();
  readonly #now: () => number;

  constructor(limits: Partial<EventStoreLimits> = {}, now: () => number = Date.now) {
    this.#limits = resolveEventStoreLimits(limits);
    this.#now = now;
  }

  forSession(sessionId: string): EventStore {
    return {
      storeEvent: async (streamId, message) => this.#store(sessionId, streamId, message),
      getStreamIdForEventId: async (eventId) => {
        const parsed = parseEventId(eventId);
        if (parsed === undefined) return undefined;
        return this.#sessions.get(sessionId)?.streams.has(parsed.streamId) ? parsed.streamId : undefined;
      },
      replayEventsAfter: async (lastEventId, { send }) => {
        const parsed = parseEventId(lastEventId);
        const events = parsed && this.#sessions.get(sessionId)?.streams.get(parsed.streamId);
        if (parsed === undefined || events === undefined) {
          throw new Error(`Unknown event id ${lastEventId}`);
        }
        const cutoff = this.#now() - this.#limits.ttlMs;
        // Copy first: `send` may trigger new events on the same stream while we iterate.
        for (const event of [...events]) {
          // Priming events (empty messages) carry only a cursor; nothing to replay.
          if (event.seq <= parsed.seq || event.storedAt < cutoff || !('jsonrpc' in event.message)) continue;
          await send(`${parsed.streamId}${SEPARATOR}${event.seq}`, event.message);
        }
        return parsed.streamId;
      },
    };
  }

  #store(sessionId: string, streamId: StreamId, message: JSONRPCMessage): EventId {
    let session = this.#sessions.get(sessionId);
    if (session === undefined) {
      session = { nextSeq: 1, streams: new Map() };
      this.#sessions.set(sessionId, session);
    }
    let events = session.streams.get(streamId);
    if (events === undefined) {
      events = [];
      session.streams.set(streamId, events);
    }
    const seq = session.nextSeq++;
    events.push({ seq, storedAt: this.#now(), message });
    if (events.length > this.#limits.maxEventsPerStream) events.splice(0, events.length - this.#limits.maxEventsPerStream);
    return `${streamId}${SEPARATOR}${seq}`;
  }

  async deleteSession(sessionId: string): Promise<void> {
    this.#sessions.delete(sessionId);
  }

  async purgeExpired(now: number, liveSessionIds?: ReadonlySet<string>): Promise<number> {
    const cutoff = now - this.#limits.ttlMs;
    let purged = 0;
    for (const [sessionId, session] of this.#sessions) {
      const orphaned = liveSessionIds !== undefined && !liveSessionIds.has(sessionId);
      for (const [streamId, events] of session.streams) {
        const keep = orphaned ? [] : events.filter((event) => event.storedAt >= cutoff);
        purged += events.length - keep.length;
        if (keep.length === 0) session.streams.delete(streamId);
        else session.streams.set(streamId, keep);
      }
      if (session.streams.size === 0) this.#sessions.delete(sessionId);
    }
    return purged;
  }

  async close(): Promise<void> {
    this.#sessions.clear();
  }
}
