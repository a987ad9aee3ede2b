/**
 * How the persistent event stores (pglite, postgres, redis) write events down: scoped event ids and
 * stored message text (plain JSON, or deflated above a size threshold).
 */
import { promisify } from 'node:util';
import { deflateRaw, inflateRaw } from 'node:zlib';
import type { EventId, JSONRPCMessage, StreamId } from '@modelcontextprotocol/server';

const deflateRawAsync = promisify(deflateRaw);
const inflateRawAsync = promisify(inflateRaw);

/**
 * How persistent event stores serialise SSE messages.
 *
 * @example
 * ```ts
 * const options: EventCodecOptions = { compressAboveBytes: 16_384 };
 * ```
 */
export interface EventCodecOptions {
  /**
   * Messages whose JSON is larger than this are stored deflated (base64 text, so every backend keeps
   * one text column/field). Tool results with large text compress 5-10x; small notifications are not
   * worth the CPU. @default 4_096
   */
  compressAboveBytes?: number;
}

/**
 * @example
 * ```ts
 * const threshold = EVENT_CODEC_DEFAULTS.compressAboveBytes; // 4096
 * ```
 */
export const EVENT_CODEC_DEFAULTS = {
  compressAboveBytes: 4_096,
} as const satisfies Required<EventCodecOptions>;

/** `j` = plain JSON follows, `z` = base64 of raw deflate of the JSON follows. */
const PLAIN = 'j';
const DEFLATED = 'z';

/**
 * Serialises one message for storage.
 *
 * @example
 * ```ts
 * const stored = await encodeEventMessage({ jsonrpc: '2.0', method: 'ping' }); // 'j{"jsonrpc":"2.0","method":"ping"}'
 * ```
 */
export async function encodeEventMessage(
  message: JSONRPCMessage,
  options: EventCodecOptions = {},
): Promise<string> {
  const json = JSON.stringify(message);
  const threshold = options.compressAboveBytes ?? EVENT_CODEC_DEFAULTS.compressAboveBytes;
  if (Buffer.byteLength(json) <= threshold) return PLAIN + json;
  const deflated = await deflateRawAsync(json);
  return DEFLATED + deflated.toString('base64');
}

/**
 * Reverses {@link encodeEventMessage}.
 *
 * @example
 * ```ts
 * const message = await decodeEventMessage(await encodeEventMessage({ jsonrpc: '2.0', method: 'ping' }));
 * ```
 */
export async function decodeEventMessage(stored: string): Promise<JSONRPCMessage> {
  const tag = stored.slice(0, 1);
  const body = stored.slice(1);
  if (tag === PLAIN) return parseMessage(body);
  if (tag === DEFLATED) return parseMessage((await inflateRawAsync(Buffer.from(body, 'base64'))).toString('utf8'));
  throw new Error(`Unknown stored event encoding ${JSON.stringify(tag)}`);
}

/**
 * The SDK stores priming events as `storeEvent(streamId, {})` (webStandardStreamableHttp.js
 * `writePrimingEvent`). They only carry a cursor: replaying one would send `data: {}`, which the SDK
 * client rejects as an invalid JSON-RPC message, so stores keep them (their id stays resumable) but
 * never replay them.
 *
 * @example
 * ```ts
 * isPrimingEvent({} as JSONRPCMessage); // true
 * ```
 */
export function isPrimingEvent(message: JSONRPCMessage): boolean {
  return !('jsonrpc' in message);
}

function parseMessage(json: string): JSONRPCMessage {
  // Stored by encodeEventMessage from a JSONRPCMessage; the store is trusted, validation is the SDK's job.
  const parsed: JSONRPCMessage = JSON.parse(json);
  return parsed;
}

/**
 * Builds `{sessionId}:{streamId}:{seq}`. The session id in front lets a store reject an id minted for
 * another session before touching the database; the stream id in the middle answers
 * `getStreamIdForEventId` without a lookup of the event itself.
 *
 * @example
 * ```ts
 * scopedEventId('s1', '_GET_stream', 42); // 's1:_GET_stream:42'
 * ```
 */
export function scopedEventId(sessionId: string, streamId: StreamId, seq: number | string): EventId {
  return `${sessionId}:${streamId}:${seq}`;
}

/**
 * Splits an id made by {@link scopedEventId} for `sessionId`; undefined for ids of other sessions and
 * for anything malformed. `seq` stays a string: SQL row ids and Redis entry ids (`1700000000000-0`)
 * differ in shape. Stream ids may contain `:`; the session id and the seq never do.
 *
 * @example
 * ```ts
 * parseScopedEventId('s1', 's1:_GET_stream:42'); // { streamId: '_GET_stream', seq: '42' }
 * parseScopedEventId('s2', 's1:_GET_stream:42'); // undefined
 * ```
 */
export function parseScopedEventId(sessionId: string, eventId: EventId): { streamId: StreamId; seq: string } | undefined {
  const prefix = `${sessionId}:`;
  if (!eventId.startsWith(prefix)) return undefined;
  const rest = eventId.slice(prefix.length);
  const at = rest.lastIndexOf(':');
  if (at <= 0 || at === rest.length - 1) return undefined;
  return { streamId: rest.slice(0, at), seq: rest.slice(at + 1) };
}
