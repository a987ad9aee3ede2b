import { randomUUID } from 'node:crypto';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import type { RequestRecord, SessionRecord } from '../../../server/stores/types';

/** An epoch ms far from now, so no backend clock (Redis PX, Postgres now()) can be confused with it. */
export const T0 = 1_800_000_000_000;

/**
 * A complete session record with unique ids; override what the test is about.
 *
 * @example
 * ```ts
 * const record = sessionRecord({ status: 'draining' });
 * ```
 */
export function sessionRecord(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    sessionId: randomUUID(),
    appSessionId: randomUUID(),
    principalHash: null,
    initializeParams: {
      protocolVersion: '2025-11-25',
      capabilities: { sampling: {} },
      clientInfo: { name: 'contract', version: '1.0.0' },
    },
    protocolVersion: '2025-11-25',
    createdAt: T0,
    lastActivityAt: T0,
    expiresAt: T0 + 60_000,
    status: 'active',
    disconnectReason: null,
    ownerInstance: 'instance-a',
    ...overrides,
  };
}

/**
 * A request record for `sessionId`; `n` makes it distinguishable.
 *
 * @example
 * ```ts
 * const record = requestRecord('s1', 4); // method 'tools/call', requestId 4
 * ```
 */
export function requestRecord(sessionId: string, n: number): RequestRecord {
  return {
    sessionId,
    // Numbers, strings and null (a notification) all round-trip.
    requestId: n % 5 === 0 ? null : n % 2 === 0 ? n : `req-${n}`,
    method: 'tools/call',
    tool: n % 3 === 0 ? null : 'echo',
    startedAt: T0 + n,
    durationMs: n + 0.5,
    status: 200,
  };
}

/**
 * A notification whose params say where it belongs, so a leak across sessions is visible.
 *
 * @example
 * ```ts
 * const message = notification('s1', 2); // { jsonrpc: '2.0', method: 'notifications/message', params: { session: 's1', n: 2 } }
 * ```
 */
export function notification(sessionId: string, n: number, padding = ''): JSONRPCMessage {
  return { jsonrpc: '2.0', method: 'notifications/message', params: { session: sessionId, n, padding } };
}

/** What the SDK stores for a priming event (webStandardStreamableHttp.js `writePrimingEvent`). */
export const PRIMING: JSONRPCMessage = JSON.parse('{}');

/**
 * Collects what a replay sends.
 *
 * @example
 * ```ts
 * const sink = replaySink();
 * await store.replayEventsAfter(id, sink);
 * sink.sent.length;
 * ```
 */
export function replaySink(): { sent: Array<{ eventId: string; message: JSONRPCMessage }>; send: (eventId: string, message: JSONRPCMessage) => Promise<void> } {
  const sent: Array<{ eventId: string; message: JSONRPCMessage }> = [];
  return { sent, send: async (eventId, message) => void sent.push({ eventId, message }) };
}
