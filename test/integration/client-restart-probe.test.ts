/**
 * A server the client has reached before and that now refuses connections is restarting: the client
 * probes every `reconnectDelayMs` without using up `retries`, and the call lands once it is back.
 * A URL the client never reached fails within the normal retries instead (a wrong URL should not hang).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { expect, test } from 'vitest';
import { MCPClient, RetryExhaustedError } from '../../src/index';
import { startServer } from '../transport/wire-fixture';

const DOWN_MS = 600;

test.each(['legacy', 'modern'] as const)(
  '%s era: a restarting server is probed past the retry count and the call lands soon after it is back',
  async (era) => {
    let server = await startServer();
    const { port, url } = server;
    // Two retries with a 5 s cap could never cover a 600 ms outage by backoff alone (100 + 200 ms bounds).
    await using client = new MCPClient({ era, url, listen: false, retry: { retries: 2, maxElapsedMs: 10_000 } });
    // What a first call against a fresh server costs on this machine now: the bound below is derived from it.
    const calibrating = performance.now();
    await client.ping();
    const firstCallMs = performance.now() - calibrating;
    await server.close();

    const pending = client.callTool('echo', { text: 'after restart' });
    await delay(DOWN_MS);
    server = await startServer({ port });
    const backAt = performance.now();
    try {
      const result = await pending;
      const landedAfterMs = performance.now() - backAt;
      expect(result.structuredContent).toEqual({ text: 'after restart' });
      // Probes are at most 250 ms apart; on top, the re-initialize (legacy), tools/list and the call against a
      // restarted server: a few times what the first connect cost (issue #10 item 13: no constant that a busy
      // machine misses).
      expect(landedAfterMs).toBeLessThan(250 + 3 * firstCallMs + 500);
      expect(client.stats().retries).toBeGreaterThan(2);
      // The restart forgot the legacy session (memory store): one re-initialize. The modern era has none to lose.
      expect(client.stats().reinitializations).toBe(era === 'legacy' ? 1 : 0);
    } finally {
      await server.close();
    }
  },
);

test('a URL the client never reached fails within the retry count, not after the whole budget', async () => {
  const dead = await startServer();
  const { url } = dead;
  await dead.close();
  await using client = new MCPClient({ url, listen: false, retry: { retries: 2, minDelayMs: 10, maxElapsedMs: 30_000 } });
  const started = performance.now();
  const error = await client.ping().catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(RetryExhaustedError);
  expect((error as RetryExhaustedError).attempts).toBe(3);
  expect(performance.now() - started).toBeLessThan(5_000);
});
