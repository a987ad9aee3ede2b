import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import type { SessionRecord } from '../../../server/stores/types';
import { notification, PRIMING, replaySink, requestRecord, sessionRecord } from './fixtures';
import type { OpenedStores, StoreTarget } from './store-target';

const SESSIONS = 4;
const STREAMS = ['_GET_stream', 'req-1'] as const;

type Action =
  | { kind: 'create' | 'get' | 'track' | 'cleanup'; session: number }
  | { kind: 'store' | 'replay'; session: number; stream: number };

const sessionIndex = fc.integer({ min: 0, max: SESSIONS - 1 });
const streamIndex = fc.integer({ min: 0, max: STREAMS.length - 1 });
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constantFrom('create', 'get', 'track', 'cleanup'), session: sessionIndex }),
  fc.record({ kind: fc.constantFrom('store', 'replay'), session: sessionIndex, stream: streamIndex }),
);

/** What one session should hold, according to the actions applied so far. */
interface SessionModel {
  id: string;
  record?: SessionRecord;
  requests: number;
  /** Per stream: the id of its first (priming) event and the messages after it. */
  streams: Map<string, { start: string; messages: JSONRPCMessage[] }>;
}

/**
 * Random interleavings of create, validate (get), track, store-event, replay and cleanup across
 * several sessions: no record, request or event ever shows up in another session, and cleaning one
 * session never touches another. Session ids are fresh per run, so runs share one namespace.
 *
 * @example
 * ```ts
 * isolationProperty(trackStores(target), 25);
 * ```
 */
export function isolationProperty(target: StoreTarget, numRuns: number): void {
  describe('isolation between sessions (property)', () => {
    it(`holds over ${numRuns} random interleavings`, async () => {
      const stores = await target.openEmpty();
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 30 }), async (actions) => {
          runs += 1;
          const models = Array.from({ length: SESSIONS }, (): SessionModel => ({
            id: `prop-${randomUUID()}`,
            requests: 0,
            streams: new Map(),
          }));
          for (const step of actions) await apply(stores, models, step);
          for (const model of models) await checkSession(stores, model);
          for (const model of models) await checkForeignReplays(stores, model, models);
        }),
        { numRuns },
      );
      expect(runs).toBe(numRuns);
    });
  });
}

async function apply(stores: OpenedStores, models: SessionModel[], step: Action): Promise<void> {
  const model = models[step.session];
  if (model === undefined) throw new Error(`no session ${step.session}`);
  switch (step.kind) {
    case 'create': {
      if (model.record !== undefined) return;
      model.record = sessionRecord({ sessionId: model.id, appSessionId: `app-${model.id}` });
      await stores.sessions.create(model.record);
      return;
    }
    case 'get':
      expect(await stores.sessions.get(model.id)).toEqual(model.record);
      return;
    case 'track':
      model.requests += 1;
      await stores.sessions.trackRequest(requestRecord(model.id, model.requests));
      return;
    case 'store': {
      const streamId = STREAMS[step.stream] ?? '_GET_stream';
      const store = stores.events.forSession(model.id);
      let stream = model.streams.get(streamId);
      if (stream === undefined) {
        stream = { start: await store.storeEvent(streamId, PRIMING), messages: [] };
        model.streams.set(streamId, stream);
      }
      const message = notification(model.id, stream.messages.length + 1);
      await store.storeEvent(streamId, message);
      stream.messages.push(message);
      return;
    }
    case 'replay': {
      const stream = model.streams.get(STREAMS[step.stream] ?? '_GET_stream');
      if (stream !== undefined) await expectReplay(stores, model.id, stream);
      return;
    }
    case 'cleanup': {
      await stores.events.deleteSession(model.id);
      model.streams.clear();
      if (model.record !== undefined) {
        await stores.sessions.setStatus(model.id, 'closed', 'cleanup');
        model.record = { ...model.record, status: 'closed', disconnectReason: 'cleanup' };
      }
      return;
    }
  }
}

async function expectReplay(
  stores: OpenedStores,
  sessionId: string,
  stream: { start: string; messages: JSONRPCMessage[] },
): Promise<void> {
  const sink = replaySink();
  await stores.events.forSession(sessionId).replayEventsAfter(stream.start, sink);
  expect(sink.sent.map((event) => event.message)).toEqual(stream.messages);
}

async function checkSession(stores: OpenedStores, model: SessionModel): Promise<void> {
  expect(await stores.sessions.get(model.id)).toEqual(model.record);
  expect(await stores.sessions.getByAppSessionId(`app-${model.id}`)).toEqual(model.record);
  const requests = await stores.sessions.listRequests(model.id, 1_000);
  expect(requests).toHaveLength(model.requests);
  expect(requests.every((request) => request.sessionId === model.id)).toBe(true);
  for (const stream of model.streams.values()) await expectReplay(stores, model.id, stream);
}

/**
 * Replaying another session's event ids through this session either fails or sends this
 * session's own events: never a byte of the other session's.
 */
async function checkForeignReplays(stores: OpenedStores, model: SessionModel, models: SessionModel[]): Promise<void> {
  for (const other of models) {
    if (other === model) continue;
    for (const stream of other.streams.values()) {
      const sink = replaySink();
      await stores.events
        .forSession(model.id)
        .replayEventsAfter(stream.start, sink)
        .catch(() => undefined);
      for (const { message } of sink.sent) expect(message).toMatchObject({ params: { session: model.id } });
    }
  }
}
