/**
 * Issue 9, case 8: request headers, bodies and idle sockets have deadlines. Measured before the fix:
 * `requestTimeout = 0`, no socket timeout, no deadline in the JSON reader: a client sending one byte every 200 ms
 * held a slot for 311 s, and 300 of 300 stalled POSTs stayed open. Hostile raw sockets come from 127.0.0.2 (another
 * client IP), the good client from 127.0.0.1. Deadlines are short here (options); each bound is asserted with a
 * generous margin for a loaded 2-core machine, and the figures are printed.
 */
import { describe, expect, test } from 'vitest';
import { startReferenceServer, type ReferenceServerOptions } from '../../server/index';
import { openListen } from '../support/server-modern-client';
import { RawMcpSession, readEvents } from '../support/server-raw-client';
import { startGoodClient } from './support/good-client';
import { reportFigures } from './support/loop-monitor';
import { connectMany, connectRaw, postHead, statusCounts, until } from './support/raw-socket';

const HOSTILE = '127.0.0.2';
/** Allowance past a deadline for Node's connection checks and a loaded machine. */
const MARGIN_MS = 3_000;
/** Production path: no test layer in front of the handler. */
const BASE: ReferenceServerOptions = { store: 'memory', testLayer: false };
const INTERNAL_TEXT = /RangeError|TypeError|Error:|\bat \w|node:internal|stack/;

const held = (closures: readonly { heldMs: number }[]) => ({
  minHeldMs: Math.min(...closures.map((c) => c.heldMs)),
  maxHeldMs: Math.max(...closures.map((c) => c.heldMs)),
});

describe('deadlines on what a client sends (issue 9, case 8)', () => {
  test('slowloris headers: 50 connections sending a header byte every 200 ms get 408 at the headers deadline', async () => {
    await using server = await startReferenceServer({ ...BASE, headersTimeoutMs: 600 });
    const good = await startGoodClient(server.url);
    const conns = await connectMany(
      50,
      server.port,
      (conn) => {
        conn.socket.write('POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
        conn.trickle('abcdefgh', 200);
      },
      { localAddress: HOSTILE },
    );
    const closures = await Promise.all(conns.map((conn) => conn.closed));
    const tally = await good.stop();
    reportFigures('case 8 slowloris headers', { deadlineMs: 600, ...held(closures), goodAnswered: tally.answered });
    expect(statusCounts(closures)).toEqual({ 408: 50 });
    expect(held(closures).maxHeldMs).toBeLessThan(600 + MARGIN_MS);
    expect(tally).toMatchObject({ failed: 0 });
    expect(tally.answered).toBeGreaterThan(0);
  });

  test('a body trickling one byte every 200 ms is cut at the whole-body deadline (the per-read one never fires)', async () => {
    await using server = await startReferenceServer({ ...BASE, bodyReadTimeoutMs: 600, bodyTimeoutMs: 1_500 });
    const good = await startGoodClient(server.url);
    const conns = await connectMany(
      20,
      server.port,
      (conn) => {
        conn.socket.write(postHead(100_000));
        conn.trickle(' ', 200);
      },
      { localAddress: HOSTILE },
    );
    const closures = await Promise.all(conns.map((conn) => conn.closed));
    const tally = await good.stop();
    reportFigures('case 8 slow body', { readDeadlineMs: 600, bodyDeadlineMs: 1_500, ...held(closures), goodAnswered: tally.answered });
    expect(statusCounts(closures)).toEqual({ 408: 20 });
    // Not before the whole-body deadline: bytes kept arriving within the per-read one.
    expect(held(closures).minHeldMs).toBeGreaterThanOrEqual(1_400);
    expect(held(closures).maxHeldMs).toBeLessThan(1_500 + MARGIN_MS);
    for (const closure of closures) {
      expect(closure.received).toContain('Request Timeout: the request body did not arrive in time');
      expect(closure.received).not.toMatch(INTERNAL_TEXT);
    }
    expect(tally).toMatchObject({ failed: 0 });
    expect(tally.answered).toBeGreaterThan(0);
  });

  test('300 stalled POSTs are each cut at the per-read deadline, while a good client is served', async () => {
    await using server = await startReferenceServer({ ...BASE, bodyReadTimeoutMs: 2_000, bodyTimeoutMs: 30_000 });
    const good = await startGoodClient(server.url);
    const conns = await connectMany(300, server.port, (conn) => conn.socket.write(`${postHead(1_000)}{"jsonrpc":"2.0"`), { localAddress: HOSTILE });
    const answeredBefore = good.answered();
    await until(() => good.answered() >= answeredBefore + 3, 20_000, 'three good calls');
    const heldWhileServed = conns.filter((conn) => !conn.isClosed()).length;
    const closures = await Promise.all(conns.map((conn) => conn.closed));
    const tally = await good.stop();
    reportFigures('case 8 stalled POSTs x300', { readDeadlineMs: 2_000, ...held(closures), heldWhileServed, goodAnswered: tally.answered });
    expect(statusCounts(closures)).toEqual({ 408: 300 });
    expect(held(closures).maxHeldMs).toBeLessThan(2_000 + MARGIN_MS);
    expect(heldWhileServed).toBeGreaterThan(0);
    expect(tally).toMatchObject({ failed: 0 });
  });

  test('idle sockets close: a silent one at the headers deadline, a kept-alive one at the keep-alive deadline', async () => {
    await using server = await startReferenceServer({ ...BASE, headersTimeoutMs: 600, keepAliveTimeoutMs: 300 });
    const silent = await connectMany(50, server.port, () => undefined, { localAddress: HOSTILE });
    const keptAlive = await connectMany(50, server.port, (conn) => conn.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'), {
      localAddress: HOSTILE,
    });
    const silentClosures = await Promise.all(silent.map((conn) => conn.closed));
    const keptClosures = await Promise.all(keptAlive.map((conn) => conn.closed));
    reportFigures('case 8 idle sockets', { silent: JSON.stringify(held(silentClosures)), keptAlive: JSON.stringify(held(keptClosures)) });
    expect(statusCounts(silentClosures)).toEqual({ 408: 50 });
    expect(held(silentClosures).maxHeldMs).toBeLessThan(600 + MARGIN_MS);
    expect(statusCounts(keptClosures)).toEqual({ 200: 50 });
    // Node adds 1 s to keepAliveTimeout before it closes an idle socket.
    expect(held(keptClosures).maxHeldMs).toBeLessThan(300 + 1_000 + MARGIN_MS);
  });

  test('SSE streams are responses, not requests: a legacy GET stream and a modern listen stream outlive every deadline', async () => {
    const deadlines = { headersTimeoutMs: 200, keepAliveTimeoutMs: 200, bodyReadTimeoutMs: 200, bodyTimeoutMs: 300 };
    await using server = await startReferenceServer({ ...BASE, ...deadlines });
    const session = await RawMcpSession.initialize(server.url);
    const stream = await session.get();
    const controller = new AbortController();
    const listen = await openListen(server.url, { toolsListChanged: true }, controller.signal, { capabilities: {} });
    expect([stream.status, listen.status]).toEqual([200, 200]);
    const listChanged = (events: { data: string }[]): boolean => events.some((event) => event.data.includes('notifications/tools/list_changed'));
    const legacy = readEvents(stream, listChanged, 10_000);
    const modern = readEvents(listen, listChanged, 10_000);
    // Three times Node's request backstop (headers + body deadline = 500 ms): a stream cut by it would be gone.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    server.handler.notify.toolsChanged();
    const [legacyRead, modernRead] = await Promise.all([legacy, modern]);
    controller.abort();
    expect(listChanged(legacyRead.events)).toBe(true);
    expect(listChanged(modernRead.events)).toBe(true);
  });

  test('shutdown never waits on a stalled body: 300 of them are answered 503 at once and close() returns', async () => {
    await using server = await startReferenceServer({
      ...BASE,
      shutdownTimeoutMs: 20_000,
      bodyReadTimeoutMs: 60_000,
      bodyTimeoutMs: 60_000,
      maxInFlightPerIp: 300,
    });
    const conns = await connectMany(300, server.port, (conn) => conn.socket.write(`${postHead(1_000)}{`), { localAddress: HOSTILE });
    // All 300 are inside the handler once the 301st from their address is refused for want of a slot.
    let probes = 0;
    for (;;) {
      const probe = await connectRaw(server.port, { localAddress: HOSTILE });
      probe.socket.write(`${postHead(2)}{}`);
      const closure = await probe.closed;
      probes += 1;
      if (closure.status === 429) break;
      expect(probes).toBeLessThan(200);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const startedAt = performance.now();
    await server.close();
    const closeMs = performance.now() - startedAt;
    const closures = await Promise.all(conns.map((conn) => conn.closed));
    reportFigures('case 8 shutdown with 300 stalled bodies', { closeMs, shutdownTimeoutMs: 20_000, statuses: JSON.stringify(statusCounts(closures)) });
    expect(closeMs).toBeLessThan(5_000);
    expect(statusCounts(closures)).toEqual({ 503: 300 });
    expect(closures.every((closure) => closure.received.includes('Service Unavailable: the server is shutting down'))).toBe(true);
  });
});
