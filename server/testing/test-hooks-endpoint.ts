import type { ServerResponse } from 'node:http';
import type { NodeRequestLike } from '../http/node-adapter';
import { sendJson } from '../http/json-rpc-error';
import type { SessionStore } from '../stores/types';
import type { FaultInjector } from './fault-injector';
import { readJsonBody } from './read-json-body';
import type { ServerStats } from './server-stats';

/** Test endpoints live under this prefix, only when `testHooks` is on. */
export const TEST_HOOKS_PREFIX = '/__archon/';

export interface TestHooksDeps {
  stats: ServerStats;
  faults: FaultInjector;
  store: SessionStore;
  liveSessions(): number;
}

/**
 * `POST /__archon/faults` bodies: the in-process `server.faults` methods, by name.
 * `{ "action": "failNext", "count": 2, "status": 503, "retryAfter": 1, "match": { "rpcMethod": "tools/call" } }`,
 * `{ "action": "cutStreams" }`, `{ "action": "cutAfterEvents", "count": 2, "rpcMethod": "tools/call" }`,
 * `{ "action": "expireSession", "sessionId": "..." }`, `{ "action": "reset" }`.
 * The answer is `{ "ok": true, "result": <return value> }` or 400 `{ "ok": false, "error": "..." }`.
 */
export type FaultRequest =
  | ({ action: 'failNext' } & Parameters<FaultInjector['failNext']>[0])
  | { action: 'cutStreams' }
  | ({ action: 'cutAfterEvents' } & Parameters<FaultInjector['cutAfterEvents']>[0])
  | { action: 'expireSession'; sessionId?: string }
  | { action: 'reset' };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function applyFault(faults: FaultInjector, body: Record<string, unknown>): Promise<unknown> {
  const { action, ...rest } = body;
  switch (action) {
    case 'failNext':
      return faults.failNext(rest);
    case 'cutStreams':
      return faults.cutStreams();
    case 'cutAfterEvents':
      return faults.cutAfterEvents({
        count: Number(rest['count']),
        ...(typeof rest['rpcMethod'] === 'string' ? { rpcMethod: rest['rpcMethod'] } : {}),
        ...(rest['httpMethod'] === 'GET' ? { httpMethod: 'GET' as const } : {}),
      });
    case 'expireSession':
      return faults.expireSession(typeof rest['sessionId'] === 'string' ? rest['sessionId'] : undefined);
    case 'reset':
      return faults.reset();
    default:
      throw new TypeError(
        `Expected \`action\` to be failNext, cutStreams, cutAfterEvents, expireSession or reset, got ${JSON.stringify(action)}`,
      );
  }
}

/**
 * Serves `/__archon/*`: `GET stats`, `POST stats/reset`, `POST faults`, `GET sessions/<id>`
 * (the store record and its last requests). Returns false for paths it does not know.
 *
 * @example
 * ```ts
 * if (await handleTestHook(req, res, path, deps)) return;
 * ```
 */
export async function handleTestHook(
  req: NodeRequestLike,
  res: ServerResponse,
  path: string,
  deps: TestHooksDeps,
): Promise<boolean> {
  const route = `${req.method ?? 'GET'} ${path.slice(TEST_HOOKS_PREFIX.length)}`;
  if (route === 'GET stats') {
    sendJson(res, 200, { ...deps.stats.snapshot(), liveSessions: deps.liveSessions() });
    return true;
  }
  if (route === 'POST stats/reset') {
    deps.stats.reset();
    sendJson(res, 200, { ok: true });
    return true;
  }
  if (route === 'POST faults') {
    const body = await readJsonBody(req, 64 * 1024);
    try {
      if (body.kind !== 'ok' || !isRecord(body.value)) throw new TypeError('Expected a JSON object body');
      const result = await applyFault(deps.faults, body.value);
      sendJson(res, 200, { ok: true, result: result ?? null });
    } catch (error) {
      sendJson(res, 400, { ok: false, error: error instanceof Error ? error.message : String(error) });
    }
    return true;
  }
  if (req.method === 'GET' && route.startsWith('GET sessions/')) {
    const sessionId = decodeURIComponent(route.slice('GET sessions/'.length));
    const record = await deps.store.get(sessionId);
    if (record === undefined) sendJson(res, 404, { ok: false, error: 'unknown session' });
    else sendJson(res, 200, { record, requests: await deps.store.listRequests(sessionId, 100) });
    return true;
  }
  return false;
}
