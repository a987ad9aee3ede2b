/**
 * The SDK's sessionful transport answers an exception thrown while it handles a POST (an event store failing, a
 * serializer overflowing its stack) with 400 -32700 "Parse error" and the exception's text as `data`
 * (`WebStandardStreamableHTTPServerTransport.handlePostRequest`, SDK 2.x). Issue 9 measured it leaking
 * `RangeError: Maximum call stack size exceeded` to a client. The session layer has parsed and validated the body
 * before the transport sees it, so that answer is never a parse error: it is an internal failure, and is turned
 * into one, so the client gets the generic 500 (or 503 when the store is down) and the log gets the detail.
 */

/**
 * An internal failure the transport reported as a 400; `message` is its detail, for the log only.
 *
 * @example
 * ```ts
 * if (error instanceof TransportFailure) logger.error?.({ msg: 'MCP request failed', error: error.message });
 * ```
 */
export class TransportFailure extends Error {
  override readonly name = 'TransportFailure' as const;
}

/** The transport's error answers are one small JSON object; anything longer is not one of them. */
const MAX_ERROR_ANSWER_CHARS = 64 * 1024;

/**
 * `response` as is, unless it is the transport's catch-all answer: then throws {@link TransportFailure}. Only
 * 400 JSON answers are read (error paths only), and re-emitted unchanged when they are ordinary refusals.
 *
 * @example
 * ```ts
 * const response = await screenTransportAnswer(await live.transport.handleRequest(request));
 * ```
 */
export async function screenTransportAnswer(response: Response): Promise<Response> {
  if (response.status !== 400 || response.headers.get('content-type')?.startsWith('application/json') !== true) return response;
  const text = await response.text();
  let detail: unknown;
  if (text.length <= MAX_ERROR_ANSWER_CHARS) {
    try {
      const parsed = JSON.parse(text) as { error?: { code?: unknown; data?: unknown } };
      if (parsed.error?.code === -32700 && parsed.error.data !== undefined) detail = parsed.error.data;
    } catch {
      // Not JSON: pass it on as it came.
    }
  }
  if (detail !== undefined) throw new TransportFailure(`transport failed a request: ${String(detail)}`);
  return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
}
