/**
 * Issue 4: "a cut stream created on A resumes on B with Last-Event-ID". Two child-process servers
 * share a store (event store on); A is SIGKILLed while a `slow` call streams progress; B adopts the
 * session and replays, from the shared event store, exactly the events A stored after the cursor.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { describe, expect, test } from 'vitest';
import { postgresAvailable, startPostgres } from '../support/postgres-harness';
import { redisAvailable, startRedis } from '../support/redis-harness';
import { startServerProcess } from '../support/server-process';
import { RawMcpSession, readEvents } from '../support/server-raw-client';

/** A database and two server processes on a loaded 2-core box. */
const FAILOVER_TIMEOUT_MS = 120_000;

/** A POST `tools/call` SSE stream read in the background, so the test can wait on what arrived so far. */
class LiveStream {
  readonly events: EventSourceMessage[] = [];
  readonly done: Promise<void>;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(response: Response) {
    const parser = createParser({ onEvent: (event) => this.events.push(event) });
    const reader = response.body!.getReader();
    this.#reader = reader;
    const decoder = new TextDecoder();
    this.done = (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          parser.feed(decoder.decode(value, { stream: true }));
        }
      } catch {
        // The server died mid-stream: that is the point.
      }
    })();
  }

  /** Stops reading (the client goes away) and waits for the pump to end. */
  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => undefined);
    await this.done;
  }

  /** Bounded poll until `condition` holds; throws with what arrived when it does not. */
  async waitFor(condition: (events: EventSourceMessage[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition(this.events)) {
      if (Date.now() > deadline) throw new Error(`stream condition not met; got ${JSON.stringify(this.events)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

function messageOf(event: EventSourceMessage): Record<string, unknown> | undefined {
  return event.data.trim() === '' ? undefined : (JSON.parse(event.data) as Record<string, unknown>);
}

function progressOf(event: EventSourceMessage): { token: unknown; progress: number } | undefined {
  const message = messageOf(event);
  if (message?.['method'] !== 'notifications/progress') return undefined;
  const params = message['params'] as { progressToken: unknown; progress: number };
  return { token: params.progressToken, progress: params.progress };
}

function progressCount(events: EventSourceMessage[]): number {
  return events.filter((event) => progressOf(event) !== undefined).length;
}

async function startSlow(session: RawMcpSession, id: number, progressToken: string): Promise<LiveStream> {
  const response = await fetch(session.url, {
    method: 'POST',
    headers: { ...session.headers(), 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      // 150 ms between events: the kill lands long before the next one is stored.
      params: { name: 'slow', arguments: { steps: 40, intervalMs: 150 }, _meta: { progressToken } },
    }),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  return new LiveStream(response);
}

async function expectResumeOnB(store: string): Promise<void> {
  await using a = await startServerProcess({ store });
  await using b = await startServerProcess({ store });
  const session = await RawMcpSession.initialize(a.url, { appSessionId: 'failover-resume-app' });
  // Another session streaming on A at the same time: none of its events may leak into the replay.
  const other = await RawMcpSession.initialize(a.url, { appSessionId: 'failover-other-app' });
  const foreign = await startSlow(other, 7, 'theirs');
  const mine = await startSlow(session, 41, 'mine');

  // Remember the id of progress 2, let two more events arrive (A stored them), then crash A.
  await mine.waitFor((events) => progressCount(events) >= 2);
  const cursorIndex = mine.events.findIndex((event) => progressOf(event)?.progress === 2);
  const cursor = mine.events[cursorIndex]?.id;
  expect(cursor).toEqual(expect.stringMatching(new RegExp(`^${session.sessionId}:`)));
  await mine.waitFor((events) => progressCount(events) >= 4);
  await foreign.waitFor((events) => progressCount(events) >= 1);
  await a.kill();
  await Promise.all([mine.done, foreign.done]);

  // What A sent after the cursor before dying: what B must replay, nothing more, nothing less.
  const expected = mine.events.slice(cursorIndex + 1).filter((event) => messageOf(event) !== undefined);
  expect(expected.map((event) => progressOf(event)?.progress)).toEqual([3, 4]);

  const onB = session.on(b.url);
  const resumed = await onB.get({ 'last-event-id': String(cursor) });
  expect(resumed.status).toBe(200);
  // Read for a bounded while, not just until the expected count: a duplicate or stray event would show.
  const replay = await readEvents(resumed, () => false, 750);
  const replayed = replay.events.filter((event) => messageOf(event) !== undefined);

  expect(replayed.map((event) => event.id)).toEqual(expected.map((event) => event.id));
  expect(replayed.map(messageOf)).toEqual(expected.map(messageOf));
  expect(replayed.every((event) => event.id?.startsWith(`${session.sessionId}:`))).toBe(true);
  expect(replayed.map((event) => progressOf(event)?.token)).toEqual(['mine', 'mine']);

  // Another session's event id is unknown to this session, on B as on A: refused, nothing replayed.
  const foreignCursor = foreign.events.at(-1)?.id;
  expect(foreignCursor).toEqual(expect.stringMatching(new RegExp(`^${other.sessionId}:`)));
  const crossed = await onB.get({ 'last-event-id': String(foreignCursor) });
  expect(crossed.status).toBe(400);
  await crossed.body?.cancel();

  // The session continues on B: adopted once, nothing created, its state intact.
  const described = await onB.callTool('session_health_check');
  expect(described['structuredContent']).toMatchObject({ mcpSessionId: session.sessionId, appSessionId: 'failover-resume-app' });
  expect(await b.stats()).toMatchObject({ sessionsRecovered: 1, sessionsCreated: 0 });
  // The tool died with A; B never ran it (it is not re-executed by a replay).
  expect((await b.stats()).toolRuns['slow']).toBeUndefined();
}

function logData(events: EventSourceMessage[]): unknown[] {
  return events
    .map(messageOf)
    .filter((message) => message?.['method'] === 'notifications/message')
    .map((message) => (message?.['params'] as { data: unknown }).data);
}

/** The GET notification stream: opened on A, cut by A's death, resumed on B, and then fed by B. */
async function expectGetStreamResumeOnB(store: string): Promise<void> {
  await using a = await startServerProcess({ store });
  await using b = await startServerProcess({ store });
  const session = await RawMcpSession.initialize(a.url, { appSessionId: 'failover-get-app' });
  const response = await session.get();
  expect(response.status).toBe(200);
  const stream = new LiveStream(response);
  for (const text of ['one', 'two', 'three']) await session.callTool('notify', { text });
  await stream.waitFor((events) => logData(events).length >= 3);
  const cursor = stream.events.find((event) => logData([event])[0] === 'one')?.id;
  expect(cursor).toEqual(expect.stringMatching(new RegExp(`^${session.sessionId}:`)));
  await a.kill();
  await stream.done;

  const onB = session.on(b.url);
  const resumed = await onB.get({ 'last-event-id': String(cursor) });
  expect(resumed.status).toBe(200);
  // The replay, then a notification B itself sends on the resumed stream: the stream lives on B now.
  const onResumed = new LiveStream(resumed);
  await onResumed.waitFor((events) => logData(events).length >= 2);
  await onB.callTool('notify', { text: 'four' });
  await onResumed.waitFor((events) => logData(events).length >= 3);
  await onResumed.cancel();
  const { events } = onResumed;

  expect(logData(events)).toEqual(['two', 'three', 'four']);
  expect(events.filter((event) => messageOf(event) !== undefined).every((event) => event.id?.startsWith(`${session.sessionId}:`))).toBe(true);
  expect(await b.stats()).toMatchObject({ sessionsRecovered: 1, sessionsCreated: 0 });
}

const redis = redisAvailable();
describe.skipIf(!redis.ok)(`failover resume over redis${redis.ok ? '' : ` (skipped: ${redis.why})`}`, () => {
  test(
    'a stream cut by killing A resumes on B with Last-Event-ID: exactly the events A stored after it, then the session continues on B',
    async () => {
      await using instance = await startRedis();
      await expectResumeOnB(instance.url);
    },
    FAILOVER_TIMEOUT_MS,
  );

  test(
    'the GET notification stream cut by killing A resumes on B with Last-Event-ID, and B keeps feeding it',
    async () => {
      await using instance = await startRedis();
      await expectGetStreamResumeOnB(instance.url);
    },
    FAILOVER_TIMEOUT_MS,
  );
});

const postgres = postgresAvailable();
describe.skipIf(!postgres.ok)(`failover resume over postgres${postgres.ok ? '' : ` (skipped: ${postgres.why})`}`, () => {
  test(
    'a stream cut by killing A resumes on B with Last-Event-ID: exactly the events A stored after it, then the session continues on B',
    async () => {
      await using instance = await startPostgres();
      await expectResumeOnB(await instance.createDatabase('failover_resume'));
    },
    FAILOVER_TIMEOUT_MS,
  );

  test(
    'the GET notification stream cut by killing A resumes on B with Last-Event-ID, and B keeps feeding it',
    async () => {
      await using instance = await startPostgres();
      await expectGetStreamResumeOnB(await instance.createDatabase('failover_get'));
    },
    FAILOVER_TIMEOUT_MS,
  );
});
