import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import { createMemoryStores, startReferenceServer, type HealthReport } from '../../server/index';
import { RawMcpSession, readEvents } from '../support/server-raw-client';

async function health(url: string): Promise<{ status: number; body: HealthReport }> {
  const response = await fetch(new URL('/health', url));
  return { status: response.status, body: (await response.json()) as HealthReport };
}

async function metrics(url: string): Promise<string> {
  return (await fetch(new URL('/metrics', url))).text();
}

/** A labelled series appears only once incremented: absent counts as 0. */
function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((entry) => entry.startsWith(`${series} `));
  return Number(line?.split(' ')[1] ?? 0);
}

async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs = 3_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

describe('reference server health, metrics, cleanup and shutdown', () => {
  test('GET /health reports the store, session counts, cleanup tiers and uptime', async () => {
    await using server = await startReferenceServer();
    await RawMcpSession.initialize(server.url);
    const { status, body } = await health(server.url);

    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'ok',
      instanceId: server.instanceId,
      store: { kind: 'memory', connected: true },
      sessions: { live: 1, active: 1, expired: 0, closed: 0, draining: 0 },
      adoption: { enabled: true },
      cleanup: { running: true, tiers: { fast: { intervalMs: 30_000 }, regular: { intervalMs: 300_000 }, deep: { intervalMs: 86_400_000 } } },
    });
    expect(body.uptimeMs).toBeGreaterThanOrEqual(0);
  });

  test('accepts console-style and pino loggers; entries are structured and carry no credentials', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = pino({ level: 'debug' }, sink);
    await using server = await startReferenceServer({ logger, authToken: 'top-secret-token' });
    await RawMcpSession.initialize(server.url, { headers: { authorization: 'Bearer top-secret-token' } });
    await server.close();

    const entries = lines.map((line) => JSON.parse(line) as { msg: string });
    expect(entries.map((entry) => entry.msg)).toEqual(
      expect.arrayContaining(['reference server listening', 'session created', 'reference server closed']),
    );
    expect(lines.join('')).not.toContain('top-secret-token');
  });

  test('GET /health answers 503 when the store is unreachable', async () => {
    const stores = await createMemoryStores();
    await using server = await startReferenceServer({ store: stores });
    await stores.sessions.close();
    const { status, body } = await health(server.url);

    expect(status).toBe(503);
    expect(body).toMatchObject({ status: 'unavailable', store: { kind: 'memory', connected: false }, sessions: null });
  });

  test('an MCP request during a store outage gets 503 with Retry-After, not a bare 500', async () => {
    const stores = await createMemoryStores();
    await using server = await startReferenceServer({ store: stores });
    await using other = await startReferenceServer({ store: stores });
    const session = await RawMcpSession.initialize(server.url);
    // A store that fails every call, as a down database would.
    const down = new Error('connection refused');
    stores.sessions.get = () => Promise.reject(down);
    stores.sessions.ping = () => Promise.reject(down);
    // On the other instance the session is not cached: validating it needs the store.
    const reply = await session.on(other.url).request('ping');

    expect(reply.status).toBe(503);
    expect(reply.headers.get('retry-after')).toBe('1');
    expect(reply.text).toContain('session store unreachable');
    // The error answers the request's own id, so a client can match it to its call.
    expect(typeof reply.messages[0]?.id).toBe('number');
    // Where the session IS cached, the failure makes the cache untrusted: the next request asks the store too.
    expect((await fetch(new URL('/health', server.url))).status).toBe(503);
    expect((await session.request('ping')).status).toBe(503);
  });

  test('GET /metrics exposes the session, request and validation series of THIS server', async () => {
    await using server = await startReferenceServer();
    await using other = await startReferenceServer();
    const session = await RawMcpSession.initialize(server.url);
    await session.request('ping');
    const text = await metrics(server.url);

    expect(metricValue(text, 'mcp_sessions_active')).toBe(1);
    expect(metricValue(text, 'mcp_sessions_created_total')).toBe(1);
    expect(metricValue(text, 'mcp_sessions_expired_total')).toBe(0);
    expect(metricValue(text, 'mcp_sessions_recovered_total')).toBe(0);
    expect(metricValue(text, 'mcp_requests_total{method="POST",status="200"}')).toBe(2);
    expect(metricValue(text, 'mcp_requests_total{method="POST",status="202"}')).toBe(1);
    expect(metricValue(text, 'mcp_session_validation_duration_seconds_count')).toBe(2);
    expect(text).toContain('# TYPE mcp_cleanup_runs_total counter');
    expect(metricValue(await metrics(other.url), 'mcp_sessions_created_total')).toBe(0);
  });

  test('the regular tier expires idle sessions without any request, and counts the run', async () => {
    await using server = await startReferenceServer({ sessionTtlMs: 100, cleanupRegularIntervalMs: 40 });
    await RawMcpSession.initialize(server.url);

    expect(await waitFor(() => server.liveSessions() === 0)).toBe(true);
    const { body } = await health(server.url);
    expect(body.sessions).toMatchObject({ live: 0, active: 0, expired: 1 });
    expect(body.cleanup.tiers.regular).toMatchObject({ lastResult: 'ok', lastError: null });
    expect(body.cleanup.tiers.regular.runs).toBeGreaterThanOrEqual(1);
    const text = await metrics(server.url);
    expect(metricValue(text, 'mcp_sessions_expired_total')).toBe(1);
    expect(metricValue(text, 'mcp_cleanup_runs_total{tier="regular",result="ok"}')).toBeGreaterThanOrEqual(1);
  });

  test('the fast tier evicts idle local transports; the record stays and the session is adopted back', async () => {
    await using server = await startReferenceServer({ idleTransportMs: 50, cleanupFastIntervalMs: 30 });
    const session = await RawMcpSession.initialize(server.url);

    expect(await waitFor(() => server.liveSessions() === 0)).toBe(true);
    expect((await health(server.url)).body.sessions).toMatchObject({ live: 0, active: 1 });
    // Relative: on a loaded box the eviction may already have struck between initialize and initialized.
    const recoveredBefore = server.stats().sessionsRecovered;
    expect((await session.request('ping')).status).toBe(200);
    expect(server.stats().sessionsRecovered).toBe(recoveredBefore + 1);
  });

  test('the deep tier purges ended sessions', async () => {
    const stores = await createMemoryStores();
    await using server = await startReferenceServer({ store: stores, purgeAfterMs: 1, cleanupDeepIntervalMs: 40 });
    const session = await RawMcpSession.initialize(server.url);
    await session.delete();

    expect(await waitFor(async () => (await stores.sessions.get(session.sessionId)) === undefined)).toBe(true);
    expect((await health(server.url)).body.cleanup.tiers.deep.lastResult).toBe('ok');
  });

  test('with a shared store only the lock holder runs a shared tier; the other skips', async () => {
    const stores = await createMemoryStores();
    await using a = await startReferenceServer({ store: stores, cleanupRegularIntervalMs: 30 });
    await using b = await startReferenceServer({ store: stores, cleanupRegularIntervalMs: 30 });
    const skipped = async () =>
      metricValue(await metrics(a.url), 'mcp_cleanup_runs_total{tier="regular",result="skipped"}') +
      metricValue(await metrics(b.url), 'mcp_cleanup_runs_total{tier="regular",result="skipped"}');

    expect(await waitFor(async () => (await skipped()) >= 1)).toBe(true);
  });

  test('close() drains an in-flight call, ends open streams and keeps the session as draining', async () => {
    const stores = await createMemoryStores();
    const server = await startReferenceServer({ store: stores });
    const session = await RawMcpSession.initialize(server.url);
    const stream = await session.get();
    const streamEnd = readEvents(stream, () => false, 3_000);
    const call = session.request('tools/call', { name: 'slow', arguments: { steps: 3, intervalMs: 50 } });
    await waitFor(() => server.stats().toolRuns['slow'] === 1);

    const closed = server.close();
    expect(server.close()).toBe(closed);
    const reply = await call;
    await closed;

    expect(reply.status).toBe(200);
    expect(reply.messages.at(-1)).toMatchObject({ result: { structuredContent: { steps: 3 } } });
    const ended = await streamEnd;
    expect(ended.timedOut).toBe(false);
    expect(ended.retryMs).toBe(1_000);
    expect((await stores.sessions.get(session.sessionId))?.status).toBe('draining');
    await expect(fetch(server.url)).rejects.toThrow();
  });
});
