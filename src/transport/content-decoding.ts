/**
 * Content decoding for the undici stack. undici's `request()` hands over the body as sent, compressed or
 * not, while `fetch` decodes it; a server may compress even though this stack never sends
 * `Accept-Encoding`. Decoding here (gzip, deflate, br, under zlib's backpressure: nothing is inflated
 * faster than the reader takes it) keeps the two stacks consistent, and the readers above count decoded
 * bytes against their caps (issue 9 case 4). zlib comes from `process.getBuiltinModule` (Node >= 20.16):
 * no import, so bundles for browsers, which pass `fetch`, never see `node:zlib`.
 */
import type { Readable } from 'node:stream';
import { ProtocolError } from '../errors';

/** Codings applied in a row that we undo at most; a longer chain is refused (fetch and curl allow 5). */
const MAX_CODINGS = 3;

/** The zlib factory of each coding we undo. */
const DECODERS: Readonly<Record<string, 'createGunzip' | 'createInflate' | 'createBrotliDecompress'>> = {
  gzip: 'createGunzip',
  'x-gzip': 'createGunzip',
  deflate: 'createInflate',
  br: 'createBrotliDecompress',
};

/** The codings of every uncompressed response: shared, so the hot path allocates nothing. */
const NO_CODINGS: readonly string[] = Object.freeze([]);

/**
 * The codings of a `Content-Encoding` value, in the order they were applied, without `identity`.
 * Throws `ProtocolError('invalid_content_type')` for a coding we cannot undo or a chain that is too long.
 *
 * @example
 * ```ts
 * contentCodings('gzip'); // ['gzip']
 * contentCodings(undefined); // []
 * ```
 */
export function contentCodings(header: string | undefined): readonly string[] {
  // Every uncompressed response (the hot path): no split, no arrays.
  if (header === undefined || header === '') return NO_CODINGS;
  const codings = header
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length > MAX_CODINGS || !codings.every((coding) => Object.hasOwn(DECODERS, coding))) {
    throw new ProtocolError(`Unsupported Content-Encoding: ${JSON.stringify(header?.slice(0, 64))}`, { reason: 'invalid_content_type' });
  }
  return codings;
}

/** zlib's error codes: `Z_DATA_ERROR`, `Z_BUF_ERROR` (gzip, deflate), `ERR__ERROR_FORMAT_...` (brotli). */
const ZLIB_CODE = /^(Z_|ERR__ERROR|ERR_BROTLI)/;

/**
 * True when `error`, or one of its causes, is a zlib decoding failure: `fetch` reports a corrupt compressed
 * body as `TypeError('terminated')` with the zlib error as its cause, which must not read as a lost response.
 *
 * @example
 * ```ts
 * if (isDecodingFailure(error)) throw new ProtocolError('corrupt body', { reason: 'invalid_message', cause: error });
 * ```
 */
export function isDecodingFailure(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && ZLIB_CODE.test(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** The definite error for a body that does not decode as its `Content-Encoding` says. */
export function decodingFailed(cause: unknown): ProtocolError {
  return new ProtocolError('The server sent a body that does not decode as its Content-Encoding says', { reason: 'invalid_message', cause });
}

/**
 * The decoded chunks of `body`. A corrupt compressed body throws `ProtocolError('invalid_message')` (a
 * definite error); a failure of the body itself (reset, abort) propagates unchanged for the caller to map.
 *
 * @example
 * ```ts
 * for await (const chunk of decodeBody(data.body, ['gzip'])) total += chunk.byteLength;
 * ```
 */
export async function* decodeBody(body: Readable, codings: readonly string[]): AsyncGenerator<Uint8Array> {
  const zlib = process.getBuiltinModule('node:zlib');
  const { pipeline } = process.getBuiltinModule('node:stream');
  // The first stream to emit 'error' is where the failure began; pipeline then passes it to the others.
  let origin: 'body' | 'decoder' | undefined;
  body.on('error', () => {
    origin ??= 'body';
  });
  // Undo the codings in reverse order of application (RFC 9110 8.4).
  const decoders = [...codings].reverse().map((coding) => zlib[DECODERS[coding] as 'createGunzip']());
  for (const decoder of decoders) {
    decoder.on('error', () => {
      origin ??= 'decoder';
    });
  }
  const last = pipeline([body, ...decoders], () => {}) as unknown as Readable;
  try {
    for await (const chunk of last) yield chunk as Uint8Array;
  } catch (error) {
    if (origin !== 'decoder') throw error;
    throw decodingFailed(error);
  } finally {
    // Leaving early (a cap, a found message) stops inflating and releases the socket.
    if (!body.destroyed && !body.readableEnded) body.destroy();
    for (const decoder of decoders) decoder.destroy();
  }
}
