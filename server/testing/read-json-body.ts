import type { NodeRequestLike } from '../http/node-adapter';

export type JsonBody = { kind: 'ok'; value: unknown } | { kind: 'too-large' } | { kind: 'invalid-json' };

/**
 * Reads a request body up to `maxBytes` and parses it as JSON. Stops reading as soon as the limit
 * is crossed (a declared `Content-Length` over it is refused without reading at all).
 *
 * @example
 * ```ts
 * const body = await readJsonBody(req, 4 * 1024 * 1024);
 * if (body.kind === 'too-large') reply413();
 * ```
 */
export async function readJsonBody(req: NodeRequestLike, maxBytes: number): Promise<JsonBody> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return { kind: 'too-large' };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > maxBytes) return { kind: 'too-large' };
    chunks.push(buffer);
  }
  try {
    return { kind: 'ok', value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return { kind: 'invalid-json' };
  }
}
