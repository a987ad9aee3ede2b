/**
 * A server the client has reached before and that now refuses connections is restarting: the client
 * probes every `reconnectDelayMs` without using up `retries`, and the call lands once it is back.
 * A URL the client never reached fails within the normal retries instead (a wrong URL should not hang).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { expect, test } from 'vitest';
import { AbortError, MCPClient, RetryExhaustedError } from '../../src/index';
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

test('waiting calls share one probe, yet each leaves on its own signal or budget, and the rest land together once the server is back', async () => {
  let server = await startServer();
  const { port, url } = server;
  // The 2025 era, so that the restart costs a session and the shared recovery shows as one re-initialize.
  await using client = new MCPClient({ era: 'legacy', url, listen: false, retry: { maxElapsedMs: 20_000 } });
  await client.callTool('echo', { text: 'warm up' });
  await server.close();
  // The first refusal closes the client's gate: the calls after it are held back without connecting.
  await expect(client.callTool('echo', { text: 'first' }, { retry: { maxElapsedMs: 50 } })).rejects.toBeInstanceOf(RetryExhaustedError);

  const aborted = new AbortController();
  const abortedCall = client.callTool('echo', { text: 'aborted' }, { signal: aborted.signal }).catch((error: unknown) => error);
  const shortBudget = client.callTool('echo', { text: 'short' }, { retry: { maxElapsedMs: 400 } }).catch((error: unknown) => error);
  const waiting = Array.from({ length: 10 }, (_, index) => client.callTool('echo', { text: `waiting ${index}` }));
  await delay(100);
  aborted.abort(new Error('caller gave up'));
  expect(await abortedCall).toBeInstanceOf(AbortError);
  expect(await shortBudget).toBeInstanceOf(RetryExhaustedError);
  await delay(200);
  server = await startServer({ port });
  try {
    const results = await Promise.all(waiting);
    expect(results.map((result) => result.structuredContent)).toEqual(Array.from({ length: 10 }, (_, index) => ({ text: `waiting ${index}` })));
    // One re-initialize for all of them (the restarted in-process server has no sessions).
    expect(client.stats().reinitializations).toBe(1);
  } finally {
    await server.close();
  }
});
