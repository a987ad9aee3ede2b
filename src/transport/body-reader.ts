/**
 * Reads a non-streaming response body under a byte limit, so a runaway server cannot exhaust memory.
 */
import { ProtocolError } from '../errors';
import type { HttpResponse } from './http-seam';

function tooLarge(maxBytes: number): ProtocolError {
  return new ProtocolError(`The server's response exceeded maxResponseBytes (${maxBytes})`, { reason: 'body_too_large' });
}

/**
 * Reads the whole body as UTF-8 text, at most `maxBytes`. Cancels the body and throws
 * `ProtocolError('body_too_large')` beyond that.
 *
 * @example
 * ```ts
 * const text = await readBodyText(response, 16 * 1024 * 1024);
 * ```
 */
export async function readBodyText(response: HttpResponse, maxBytes: number): Promise<string> {
  const declared = Number(response.header('content-length'));
  if (Number.isFinite(declared) && response.header('content-length') !== undefined) {
    if (declared > maxBytes) {
      response.cancel();
      throw tooLarge(maxBytes);
    }
    // The fast path: the length is declared and within bounds, so the stack can buffer it in one go.
    return response.text();
  }
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for await (const chunk of response.chunks()) {
    bytes += chunk.byteLength;
    if (bytes > maxBytes) {
      response.cancel();
      throw tooLarge(maxBytes);
    }
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

/**
 * Reads at most `maxBytes` of a body for an error report and drops the rest. Never throws.
 *
 * @example
 * ```ts
 * const excerpt = await readBodyExcerpt(response, 1024);
 * ```
 */
export async function readBodyExcerpt(response: HttpResponse, maxBytes: number): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  try {
    for await (const chunk of response.chunks()) {
      text += decoder.decode(chunk, { stream: true });
      bytes += chunk.byteLength;
      if (bytes >= maxBytes) break;
    }
  } catch {
    // The excerpt is diagnostic; a body that fails mid-read still leaves the status to report.
  } finally {
    response.cancel();
  }
  return text + decoder.decode();
}
