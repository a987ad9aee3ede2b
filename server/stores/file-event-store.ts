import type { EventId, EventStore, JSONRPCMessage, StreamId } from '@modelcontextprotocol/server';
import { decodeEventMessage, encodeEventMessage, isPrimingEvent, parseScopedEventId, scopedEventId } from './event-codec';
import type { JournalEntry } from './journal-line';
import { decodeJournalLine, encodeJournalLine, encodeJournalText } from './journal-line';
import type { JournalWriter } from './journal-writer';
import type { EventStoreLimits, SessionEventStore } from './types';

interface StoredEvent {
  readonly seq: number;
  readonly storedAt: number;
  /** The journal line (it carries the payload); emptied once the event is dropped, to free it. */
  line: string;
  readonly stream: EventStream;
  removed: boolean;
}

interface EventStream {
  readonly sessionId: string;
  readonly streamId: StreamId;
  /** In seq order. */
  events: StoredEvent[];
}

/** Dropped entries at the head of the age queue before it is re-based. */
const QUEUE_COMPACT_AT = 1_024;

/**
 * Tuning the file event store takes from its factory.
 *
 * @example
 * ```ts
 * const settings: FileEventStoreSettings = { limits: { ttlMs: 300_000, maxEventsPerStream: 1_000 }, compressAboveBytes: 4_096, now: Date.now };
 * ```
 */
export interface FileEventStoreSettings {
  limits: EventStoreLimits;
  compressAboveBytes: number;
  now: () => number;
}

/**
 * {@link SessionEventStore} of the file backend. Journal tags: `E` an event, `D` a session's events
 * deleted, `Q` a purge (TTL cut-off and the ids of sessions no longer live). Event ids are
 * `{sessionId}:{streamId}:{seq}` with a store-wide seq, as in the SQL store.
 *
 * `storeEvent` resolves once the event is on disk: a client is never given the id of an event with
 * content that a crash could lose (priming events, bare cursors, ride along with the next batch: see
 * `#store`). Events older than the TTL can never be replayed, so they are dropped from memory as new
 * ones arrive (an age-ordered queue), not only by the daily deep cleanup.
 *
 * @example
 * ```ts
 * const { events } = await createFileStores('.mcp-data');
 * const id = await events.forSession('s1').storeEvent('_GET_stream', { jsonrpc: '2.0', method: 'ping' });
 * ```
 */
export class FileEventStore implements SessionEventStore {
  readonly #sessions = new Map<string, Map<StreamId, EventStream>>();
  /** Every stored event in storage order (= age order), dropped ones included until they reach the head. */
  #queue: StoredEvent[] = [];
  #head = 0;
  #nextSeq = 1;
  readonly #settings: FileEventStoreSettings;
  #journal: JournalWriter | undefined;
  #close: () => Promise<void> = async () => {};
  #closed = false;

  constructor(settings: FileEventStoreSettings) {
    this.#settings = settings;
  }

  /** The next event seq; kept in snapshot headers so ids are never reused after a purge. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  /** Connects the store to its journal once replay is done; `close` releases the shared journal. */
  attach(journal: JournalWriter, close: () => Promise<void>): void {
    this.#journal = journal;
    this.#close = close;
  }

  /** Applies one journal entry (`line` is its encoded text); returns how many events it dropped. */
  apply(entry: JournalEntry, line: string): number {
    switch (entry[0]) {
      case 'H':
        this.#nextSeq = Math.max(this.#nextSeq, Number(entry[2]) || 1);
        return 0;
      case 'E':
        return this.#add(entry[1] as string, entry[2] as string, entry[3] as number, entry[4] as number, line);
      case 'D':
        return this.#dropSession(entry[1] as string);
      case 'Q': {
        let dropped = 0;
        for (const sessionId of (entry[2] as string[] | null) ?? []) dropped += this.#dropSession(sessionId);
        return dropped + this.#dropOlderThan(entry[1] as number);
      }
      default:
        return 0;
    }
  }

  /** Appends the lines of every event still kept, oldest first. */
  snapshotLines(out: string[]): void {
    for (let index = this.#head; index < this.#queue.length; index += 1) {
      const event = this.#queue[index];
      if (event !== undefined && !event.removed) out.push(event.line);
    }
  }

  /** Drops events that can no longer be replayed (older than the TTL). Not journaled: replay redoes it. */
  evictExpired(now: number): void {
    const cutoff = now - this.#settings.limits.ttlMs;
    while (this.#head < this.#queue.length) {
      const event = this.#queue[this.#head];
      if (event === undefined) break;
      if (!event.removed) {
        if (event.storedAt >= cutoff) break;
        this.#remove(event);
      }
      this.#head += 1;
    }
    if (this.#head >= QUEUE_COMPACT_AT && this.#head * 2 >= this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  forSession(sessionId: string): EventStore {
    return {
      storeEvent: (streamId, message) => this.#store(sessionId, streamId, message),
      getStreamIdForEventId: async (eventId) => {
        const parsed = parseSeqEventId(sessionId, eventId);
        return parsed !== undefined && this.#sessions.get(sessionId)?.has(parsed.streamId) ? parsed.streamId : undefined;
      },
      replayEventsAfter: (lastEventId, { send }) => this.#replay(sessionId, lastEventId, send),
    };
  }

  async deleteSession(sessionId: string): Promise<void> {
    // Not waited for: after a crash the events of a deleted session are orphans the deep tier purges.
    if (this.#sessions.has(sessionId)) this.#commitLazy(['D', sessionId]);
  }

  async purgeExpired(now: number, liveSessionIds?: ReadonlySet<string>): Promise<number> {
    const orphans = liveSessionIds === undefined ? null : [...this.#sessions.keys()].filter((id) => !liveSessionIds.has(id));
    return this.#commitLazy(['Q', now - this.#settings.limits.ttlMs, orphans]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#close();
  }

  async #store(sessionId: string, streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    // The message goes into the line as JSON, not as a string holding JSON (no second escaping pass);
    // above the threshold, as the codec's deflated text.
    const json = JSON.stringify(message);
    const { compressAboveBytes } = this.#settings;
    // A UTF-16 unit is at most 3 UTF-8 bytes: most events need no byte count at all.
    const payload =
      json.length * 3 <= compressAboveBytes || Buffer.byteLength(json) <= compressAboveBytes
        ? json
        : JSON.stringify(await encodeEventMessage(message, { compressAboveBytes: this.#settings.compressAboveBytes }));
    const journal = this.#open();
    const now = this.#settings.now();
    const seq = this.#nextSeq;
    const line = encodeJournalText(`["E",${JSON.stringify(sessionId)},${JSON.stringify(streamId)},${seq},${now},${payload}]`);
    // What `apply` does with this line's entry, without building the entry.
    this.#add(sessionId, streamId, seq, now, line);
    this.evictExpired(now);
    // A priming event is a cursor without content: it needs no wait of its own. Every event stored after
    // it lands later in the journal, so the first one a client can resume into makes it durable too;
    // a crash before that leaves an id the restarted server does not know, and the client opens the
    // stream afresh, which is all a stream with nothing after its cursor needs.
    if (isPrimingEvent(message)) journal.appendLazy(line);
    else await journal.append(line);
    return scopedEventId(sessionId, streamId, seq);
  }

  async #replay(
    sessionId: string,
    lastEventId: EventId,
    send: (eventId: EventId, message: JSONRPCMessage) => Promise<void>,
  ): Promise<StreamId> {
    const parsed = parseSeqEventId(sessionId, lastEventId);
    const stream = parsed && this.#sessions.get(sessionId)?.get(parsed.streamId);
    if (parsed === undefined || stream === undefined) throw new Error(`Unknown event id ${lastEventId}`);
    // Never hand out an event whose batch is still on its way to the disk.
    await this.#open().durable();
    const cutoff = this.#settings.now() - this.#settings.limits.ttlMs;
    // Copy first: `send` may store new events on this stream while we replay.
    const tail = stream.events.filter((event) => event.seq > parsed.seq && event.storedAt >= cutoff);
    for (const event of tail) {
      const payload = decodeJournalLine(event.line.trimEnd())?.[5];
      if (payload === undefined || payload === null) continue;
      // Written by #store: the message itself, or the codec's text for a large one.
      const message = typeof payload === 'string' ? await decodeEventMessage(payload) : (payload as JSONRPCMessage);
      if (isPrimingEvent(message)) continue;
      await send(scopedEventId(sessionId, parsed.streamId, event.seq), message);
    }
    return parsed.streamId;
  }

  #open(): JournalWriter {
    if (this.#journal === undefined || this.#closed) throw new Error('The file event store is closed');
    if (this.#journal.failure !== undefined) throw this.#journal.failure;
    return this.#journal;
  }

  #commitLazy(entry: JournalEntry): number {
    const journal = this.#open();
    const line = encodeJournalLine(entry);
    const dropped = this.apply(entry, line);
    journal.appendLazy(line);
    return dropped;
  }

  #add(sessionId: string, streamId: StreamId, seq: number, storedAt: number, line: string): number {
    this.#nextSeq = Math.max(this.#nextSeq, seq + 1);
    let streams = this.#sessions.get(sessionId);
    if (streams === undefined) {
      streams = new Map();
      this.#sessions.set(sessionId, streams);
    }
    let stream = streams.get(streamId);
    if (stream === undefined) {
      stream = { sessionId, streamId, events: [] };
      streams.set(streamId, stream);
    }
    const event: StoredEvent = { seq, storedAt, line, stream, removed: false };
    stream.events.push(event);
    this.#queue.push(event);
    let dropped = 0;
    while (stream.events.length > this.#settings.limits.maxEventsPerStream) {
      const oldest = stream.events[0];
      if (oldest === undefined) break;
      this.#remove(oldest);
      dropped += 1;
    }
    return dropped;
  }

  /** Takes one event out of its stream (and the stream out of its session once empty). */
  #remove(event: StoredEvent): void {
    if (event.removed) return;
    event.removed = true;
    event.line = '';
    const { events } = event.stream;
    const at = events[0] === event ? 0 : events.indexOf(event);
    if (at >= 0) events.splice(at, 1);
    if (events.length === 0) this.#forgetStream(event.stream);
  }

  #forgetStream(stream: EventStream): void {
    const streams = this.#sessions.get(stream.sessionId);
    if (streams?.get(stream.streamId) !== stream) return;
    streams.delete(stream.streamId);
    if (streams.size === 0) this.#sessions.delete(stream.sessionId);
  }

  #dropSession(sessionId: string): number {
    const streams = this.#sessions.get(sessionId);
    if (streams === undefined) return 0;
    let dropped = 0;
    for (const stream of streams.values()) {
      for (const event of stream.events) {
        event.removed = true;
        event.line = '';
        dropped += 1;
      }
      stream.events = [];
    }
    this.#sessions.delete(sessionId);
    return dropped;
  }

  #dropOlderThan(cutoff: number): number {
    let dropped = 0;
    for (const streams of [...this.#sessions.values()]) {
      for (const stream of [...streams.values()]) {
        for (const event of stream.events.filter((candidate) => candidate.storedAt < cutoff)) {
          this.#remove(event);
          dropped += 1;
        }
      }
    }
    return dropped;
  }
}

/** A scoped event id whose seq is a store-wide counter: digits only. */
function parseSeqEventId(sessionId: string, eventId: EventId): { streamId: StreamId; seq: number } | undefined {
  const parsed = parseScopedEventId(sessionId, eventId);
  if (parsed === undefined || !/^\d{1,15}$/.test(parsed.seq)) return undefined;
  return { streamId: parsed.streamId, seq: Number(parsed.seq) };
}
