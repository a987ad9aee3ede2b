/**
 * The project's reference server, configured for a clean client measurement: memory store, no event store
 * (with one, the SDK's server adapter adds >= 1 ms before headers: notes/sdk-baseline.md), and the per-session
 * rate limit raised, because its default (1,000 requests/s per session) is below the ~4,000 calls/s the raw
 * undici floor reaches on one session and would turn the throughput runs into 429 tests. The per-address limit on
 * new sessions (100/s, a hostile-client bound) is lifted too: the heap phase opens 100 clients at once from 127.0.0.1.
 */
import { startReferenceServer } from '../../server/index';
import type { RunningServer } from './sdk-echo-server';

/** Starts the reference server on 127.0.0.1 and an ephemeral port. */
export async function startBenchReferenceServer(): Promise<RunningServer> {
  const server = await startReferenceServer({
    port: 0,
    host: '127.0.0.1',
    store: 'memory',
    eventStore: false,
    rateLimitRequests: 10_000_000,
    maxSessions: 100_000,
    maxNewSessionsPerIp: 1_000_000_000,
  });
  return { url: server.url, close: () => server.close() };
}
