/**
 * The redirect target of `archon-mcp login`: an HTTP server on 127.0.0.1 only (RFC 8252 7.3: loopback IP,
 * any port), serving one path, answering the browser once the login is done, and giving up at a deadline.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A callback request the browser made, held open until the login finishes. */
export interface LoopbackCallback {
  /** The full callback URL (code, state, iss or error in the query). */
  readonly url: URL;
  /** Answers the browser tab and closes the exchange. */
  respond(ok: boolean, message: string): void;
}

/**
 * @example
 * ```ts
 * await using loopback = await startLoopbackCallback({ port: 0 });
 * const callback = await loopback.next(300_000);
 * ```
 */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>/callback`: the `redirect_uri` to register and send. */
  readonly redirectUrl: string;
  /** The next request to the callback path; rejects after `timeoutMs` or when `signal` aborts. */
  next(timeoutMs: number, signal?: AbortSignal): Promise<LoopbackCallback>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const CALLBACK_PATH = '/callback';

function page(ok: boolean, message: string): string {
  const escaped = message.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
  return `<!doctype html><meta charset="utf-8"><title>archon-mcp login</title><p>${ok ? '&#10003;' : '&#10007;'} ${escaped}</p>`;
}

/**
 * Listens on 127.0.0.1:`port` (0: any free port).
 *
 * @example
 * ```ts
 * const loopback = await startLoopbackCallback({ port: 0 });
 * console.log(loopback.redirectUrl); // http://127.0.0.1:53712/callback
 * ```
 */
export async function startLoopbackCallback(options: { readonly port: number }): Promise<LoopbackServer> {
  const waiting: Array<(callback: LoopbackCallback) => void> = [];
  const queued: LoopbackCallback[] = [];
  let origin = '';

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    let answered = false;
    const callback: LoopbackCallback = {
      url,
      respond(ok, message) {
        if (answered) return;
        answered = true;
        res.writeHead(ok ? 200 : 400, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page(ok, message));
      },
    };
    const take = waiting.shift();
    if (take) take(callback);
    else if (queued.length < 8) queued.push(callback);
    else callback.respond(false, 'Too many callbacks; run archon-mcp login again.');
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const close = async (): Promise<void> => {
    for (const callback of queued.splice(0)) callback.respond(false, 'The login was cancelled.');
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };

  return {
    redirectUrl: `${origin}${CALLBACK_PATH}`,
    next(timeoutMs, signal) {
      const ready = queued.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise<LoopbackCallback>((resolve, reject) => {
        const done = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          const index = waiting.indexOf(deliver);
          if (index !== -1) waiting.splice(index, 1);
        };
        const deliver = (callback: LoopbackCallback): void => {
          done();
          resolve(callback);
        };
        const onAbort = (): void => {
          done();
          reject(signal?.reason);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`No redirect reached ${origin}${CALLBACK_PATH} within ${timeoutMs} ms; run archon-mcp login again`));
        }, timeoutMs);
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        waiting.push(deliver);
      });
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
