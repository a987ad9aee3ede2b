/**
 * Issue 9, cases 8 and 9: one client cannot take the whole server. Requests in flight are bounded per client IP and
 * per principal (before: 300 of 300 stalled POSTs held), and new sessions are rate-limited per client IP and per
 * principal (before: a flood of `initialize`, no token needed, could fill `maxSessions` at ~131 KB of heap each as
 * fast as the server answered). Hostile clients come from 127.0.0.2/.3, the good client from 127.0.0.1; bounds
 * are small here (options) so counts are exact.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { startReferenceServer, type ReferenceServerOptions } from '../../server/index';
import { postModern, resultOf } from '../support/server-modern-client';
import { RawMcpSession } from '../support/server-raw-client';
import { startGoodClient } from './support/good-client';
import { reportFigures } from './support/loop-monitor';
import { clientFrom, countStatuses, inBatches, initializeFrom, modernEchoFrom } from './support/post-from';
import { connectMany, headerOf, postHead, statusCounts, until } from './support/raw-socket';

const HOSTILE = '127.0.0.2';
const OTHER_HOSTILE = '127.0.0.3';
const BASE: ReferenceServerOptions = { store: 'memory', testLayer: false };
/** Long enough that no window ends during a test. */
const LONG_WINDOW_MS = 60_000;

describe('requests in flight per client (issue 9, case 8)', () => {
  test('over maxInFlightPerIp a client gets 429 + Retry-After at once; its held slots come back; others are served', async () => {
    await using server = await startReferenceServer({ ...BASE, maxInFlightPerIp: 20, bodyReadTimeoutMs: 1_500, bodyTimeoutMs: 30_000 });
    const good = await startGoodClient(server.url);
    const conns = await connectMany(30, server.port, (conn) => conn.socket.write(`${postHead(1_000)}{`), { localAddress: HOSTILE });
    await until(() => conns.filter((conn) => conn.isClosed()).length >= 10, 10_000, 'ten refusals');
    const refused = await Promise.all(conns.filter((conn) => conn.isClosed()).map((conn) => conn.closed));
    const stillHeld = conns.filter((conn) => !conn.isClosed()).length;
    const answeredMeanwhile = good.answered();
    const heldClosures = await Promise.all(conns.map((conn) => conn.closed));
    await using hostile = clientFrom(HOSTILE);
    const afterwards = await initializeFrom(hostile, server.url);
    const tally = await good.stop();
    reportFigures('case 8 in flight per IP', {
      bound: 20,
      refused: refused.length,
      stillHeld,
      refusedWithinMs: Math.max(...refused.map((c) => c.heldMs)),
      goodAnswered: tally.answered,
    });
    expect(refused).toHaveLength(10);
    expect(stillHeld).toBe(20);
    for (const closure of refused) {
      expect(closure.status).toBe(429);
      expect(headerOf(closure.received, 'retry-after')).toBe('1');
      expect(closure.received).toContain('Too Many Requests: more than 20 requests in flight from this address');
      // Refused at once, not held until a deadline.
      expect(closure.heldMs).toBeLessThan(1_500);
    }
    expect(statusCounts(heldClosures)).toEqual({ 408: 20, 429: 10 });
    expect(afterwards.status).toBe(200);
    expect(answeredMeanwhile).toBeGreaterThan(0);
    expect(tally).toMatchObject({ failed: 0 });
  });

  test('over maxInFlightPerPrincipal a token gets 429 from any address, and another token is served', async () => {
    await using server = await startReferenceServer({
      ...BASE,
      authToken: ['token-a', 'token-b'],
      maxInFlightPerPrincipal: 10,
      bodyReadTimeoutMs: 1_500,
    });
    const good = await startGoodClient(server.url, { authorization: 'Bearer token-b' });
    const stall = (conn: { socket: { write(text: string): void } }): void => conn.socket.write(`${postHead(1_000, { authorization: 'Bearer token-a' })}{`);
    const fromOne = await connectMany(8, server.port, stall, { localAddress: HOSTILE });
    const fromOther = await connectMany(7, server.port, stall, { localAddress: OTHER_HOSTILE });
    const closures = await Promise.all([...fromOne, ...fromOther].map((conn) => conn.closed));
    const tally = await good.stop();
    const counts = statusCounts(closures);
    reportFigures('case 8 in flight per principal', { bound: 10, statuses: JSON.stringify(counts), goodAnswered: tally.answered });
    expect(counts).toEqual({ 408: 10, 429: 5 });
    expect(closures.filter((c) => c.status === 429).every((c) => c.received.includes('requests in flight from this token'))).toBe(true);
    expect(tally.answered).toBeGreaterThan(0);
    expect(tally).toMatchObject({ failed: 0 });
  });
});

describe('new sessions per client (issue 9, case 9)', () => {
  test('a flood of initialize from one address is refused with 429 + Retry-After past the bound; another client still gets a session', async () => {
    await using server = await startReferenceServer({ ...BASE, maxNewSessionsPerIp: 20, newSessionWindowMs: LONG_WINDOW_MS });
    await using hostile = clientFrom(HOSTILE);
    const answers = await inBatches(Array.from({ length: 60 }, () => () => initializeFrom(hostile, server.url)), 10);
    const good = await RawMcpSession.initialize(server.url);
    const echoed = await good.callTool('echo', { text: 'still served' });
    const counts = countStatuses(answers);
    reportFigures('case 9 initialize flood', { bound: 20, statuses: JSON.stringify(counts), liveSessions: server.liveSessions() });
    expect(counts).toEqual({ 200: 20, 429: 40 });
    for (const answer of answers.filter((a) => a.status === 429)) {
      const retryAfter = Number(answer.retryAfter);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(LONG_WINDOW_MS / 1_000);
      expect(answer.text).toContain('Too Many Requests: more than 20 new sessions per 60000 ms from this address');
    }
    expect(JSON.stringify(echoed)).toContain('still served');
    expect(server.liveSessions()).toBe(21);
  });

  test('the window ends: the same address opens sessions again', async () => {
    await using server = await startReferenceServer({ ...BASE, maxNewSessionsPerIp: 3, newSessionWindowMs: 400 });
    await using hostile = clientFrom(HOSTILE);
    const first = await inBatches(Array.from({ length: 5 }, () => () => initializeFrom(hostile, server.url)), 5);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const second = await initializeFrom(hostile, server.url);
    expect(countStatuses(first)).toEqual({ 200: 3, 429: 2 });
    expect(second.status).toBe(200);
  });

  test('modern era: app sessions new here count as new sessions; an admitted one keeps working', async () => {
    await using server = await startReferenceServer({ ...BASE, maxNewSessionsPerIp: 10, newSessionWindowMs: LONG_WINDOW_MS });
    await using hostile = clientFrom(HOSTILE);
    const ids = Array.from({ length: 20 }, () => `flood-${randomUUID()}`);
    const answers = await inBatches(ids.map((id) => () => modernEchoFrom(hostile, server.url, id)), 10);
    const admitted = ids.filter((_, index) => answers[index]?.status === 200);
    const again = await modernEchoFrom(hostile, server.url, admitted[0] ?? 'none');
    const good = await postModern(server.url, 'tools/call', { name: 'echo', arguments: { text: 'good modern' } }, { appSessionId: `good-${randomUUID()}` });
    reportFigures('case 9 modern app-session flood', { bound: 10, statuses: JSON.stringify(countStatuses(answers)) });
    expect(countStatuses(answers)).toEqual({ 200: 10, 429: 10 });
    expect(again.status).toBe(200);
    expect(JSON.stringify(resultOf(good))).toContain('good modern');
  });

  test('maxNewSessionsPerPrincipal bounds one token across addresses; another token is unaffected', async () => {
    await using server = await startReferenceServer({
      ...BASE,
      authToken: ['token-a', 'token-b'],
      maxNewSessionsPerPrincipal: 5,
      newSessionWindowMs: LONG_WINDOW_MS,
    });
    await using one = clientFrom(HOSTILE);
    await using other = clientFrom(OTHER_HOSTILE);
    const tokenA = { authorization: 'Bearer token-a' };
    const answers = [
      ...(await inBatches(Array.from({ length: 5 }, () => () => initializeFrom(one, server.url, tokenA)), 5)),
      ...(await inBatches(Array.from({ length: 5 }, () => () => initializeFrom(other, server.url, tokenA)), 5)),
    ];
    const tokenB = await initializeFrom(other, server.url, { authorization: 'Bearer token-b' });
    expect(countStatuses(answers)).toEqual({ 200: 5, 429: 5 });
    expect(answers.filter((a) => a.status === 429).every((a) => a.text.includes('new sessions per 60000 ms for this token'))).toBe(true);
    expect(tokenB.status).toBe(200);
  });
});
