/**
 * One bounded GET of a JSON document from the authorization server (its metadata, its key set): a deadline, a
 * limit in decoded bytes, no redirects. The authorization server is a peer like any other (hostile-peers.md).
 */

/** A fetch that failed or answered something unusable; the message never contains a credential. */
export class DocumentFetchError extends Error {
  override readonly name = 'DocumentFetchError';
  /** The HTTP status when the server answered one that is not 2xx. */
  readonly status: number | undefined;

  constructor(message: string, options: ErrorOptions & { status?: number } = {}) {
    super(message, options);
    this.status = options.status;
  }
}

export interface DocumentFetchLimits {
  timeoutMs: number;
  maxBytes: number;
  /** Aborted when the session layer closes. */
  signal?: AbortSignal;
}

async function readLimited(body: ReadableStream<Uint8Array>, maxBytes: number, url: string): Promise<string> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) throw new DocumentFetchError(`${url} sent more than ${maxBytes} bytes`);
      chunks.push(value);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/**
 * GETs `url` and parses its JSON body; a `DocumentFetchError` (with `status` for a non-2xx answer) for anything
 * that is not a JSON object in time and within `maxBytes`.
 *
 * @example
 * ```ts
 * const jwks = await fetchJsonDocument('https://auth.example.com/jwks', { timeoutMs: 5_000, maxBytes: 262_144 });
 * ```
 */
export async function fetchJsonDocument(url: string, limits: DocumentFetchLimits): Promise<Record<string, unknown>> {
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = limits.signal === undefined ? timeout : AbortSignal.any([timeout, limits.signal]);
  try {
    const response = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'error', signal });
    if (!response.ok || response.body === null) {
      await response.body?.cancel().catch(() => undefined);
      throw new DocumentFetchError(`${url} answered HTTP ${response.status}`, { status: response.status });
    }
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      await response.body.cancel().catch(() => undefined);
      throw new DocumentFetchError(`${url} declared ${declared} bytes, more than ${limits.maxBytes}`);
    }
    const parsed: unknown = JSON.parse(await readLimited(response.body, limits.maxBytes, url));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new DocumentFetchError(`${url} did not answer a JSON object`);
    return parsed as Record<string, unknown>;
  } catch (error) {
    if (error instanceof DocumentFetchError) throw error;
    const reason = timeout.aborted
      ? `no answer within ${limits.timeoutMs} ms`
      : error instanceof SyntaxError
        ? 'invalid JSON'
        : String(error);
    throw new DocumentFetchError(`${url}: ${reason}`, { cause: error });
  }
}
