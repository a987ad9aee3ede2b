/**
 * Shared fixture of the client's transport and integration tests: the reference server on port 0,
 * disposed with `await using`.
 */
import { startReferenceServer } from '../../server/index';

export type ReferenceServer = Awaited<ReturnType<typeof startReferenceServer>>;

/** Starts the in-process reference server on 127.0.0.1, port 0. */
export function startServer(options: Parameters<typeof startReferenceServer>[0] = {}): Promise<ReferenceServer> {
  return startReferenceServer({ port: 0, host: '127.0.0.1', ...options });
}

/** A `fetch` that looks up `globalThis.fetch` per call, so msw's patched fetch is used once listening. */
export const lateFetch = (url: string | URL, init?: RequestInit): Promise<Response> => globalThis.fetch(url, init);

/** Polls `check` every 10 ms until it returns true or `timeoutMs` passes (bounded in count and time). */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let round = 0; round < 1_000; round++) {
    if (await check()) return;
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
