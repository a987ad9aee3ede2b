import type { CallToolResult } from '@modelcontextprotocol/client';
import { describe, expect, test } from 'vitest';
import { type WireFailure, createErrorFromFailure } from '../../src/errors/factory';
import {
  AbortError,
  AuthRequiredError,
  ClosedError,
  ConnectionError,
  HttpError,
  MaybeExecutedError,
  OutputValidationError,
  ProtocolError,
  RetryExhaustedError,
  TimeoutError,
  ToolCallError,
  UnknownToolError,
} from '../../src/errors/tree';
import { type FailureClass, classifyFailure } from '../../src/retry/classify-failure';

const wire = (failure: WireFailure): unknown => createErrorFromFailure(failure);
const http = (status: number, extra: { body?: string; mcpSessionId?: string; era?: 'legacy' | 'modern' } = {}): unknown =>
  wire({ kind: 'http', status, ...extra });
/** A 2026-07-28 request refused with `status` and a JSON-RPC error body (or `body` as is). */
const modern = (status: number, body: string | { code: number; message?: string; data?: unknown }): unknown =>
  http(status, {
    era: 'modern',
    body: typeof body === 'string' ? body : JSON.stringify({ jsonrpc: '2.0', id: 1, error: { message: 'refused', ...body } }),
  });
const NO_VALID_SESSION = '{"jsonrpc":"2.0","error":{"code":-32000,"message":"Bad Request: No valid session ID provided"},"id":null}';
const network = (code: string, requestSent: boolean): unknown =>
  wire({ kind: 'network', requestSent, error: Object.assign(new Error(code), { code }) });
const rpc = (code: number, message = 'failed'): unknown => wire({ kind: 'rpc', error: { code, message } });

const toolResult: CallToolResult = { content: [{ type: 'text', text: 'no' }], isError: true };

/** Every undici / libuv code the factory knows, and whether it proves the request never left. */
const CONNECT_PHASE_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT'];
const AFTER_SEND_CODES = ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'];

const rows: Array<[string, unknown, FailureClass]> = [
  // Connect-phase codes prove nothing was sent, whatever the transport believed.
  ...CONNECT_PHASE_CODES.flatMap((code): Array<[string, unknown, FailureClass]> => [
    [`network ${code} before send`, network(code, false), 'not_delivered'],
    [`network ${code} flagged as sent`, network(code, true), 'not_delivered'],
  ]),
  ...AFTER_SEND_CODES.flatMap((code): Array<[string, unknown, FailureClass]> => [
    [`network ${code} after send`, network(code, true), 'response_lost'],
    [`network ${code} before send`, network(code, false), 'not_delivered'],
  ]),
  [
    "fetch's TypeError('fetch failed') wrapping ECONNREFUSED",
    wire({ kind: 'network', requestSent: true, error: new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }) }),
    'not_delivered',
  ],
  [
    'happy-eyeballs AggregateError of ECONNREFUSED (::1 and 127.0.0.1)',
    wire({ kind: 'network', requestSent: false, error: new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })]) }),
    'not_delivered',
  ],
  [
    "undici 'terminated' mid-body (TypeError caused by UND_ERR_SOCKET)",
    wire({ kind: 'network', requestSent: true, error: new TypeError('terminated', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }) }),
    'response_lost',
  ],
  ['unknown network failure after send', wire({ kind: 'network', requestSent: true, error: new Error('weird') }), 'response_lost'],
  ['unknown network failure before send', wire({ kind: 'network', requestSent: false, error: new Error('weird') }), 'not_delivered'],
  ['network abort (DOMException AbortError)', wire({ kind: 'network', requestSent: true, error: new DOMException('aborted', 'AbortError') }), 'definite'],
  ['network abort (UND_ERR_ABORTED)', network('UND_ERR_ABORTED', true), 'definite'],

  ['HTTP 400 "Server not initialized"', http(400, { body: '{"jsonrpc":"2.0","error":{"code":-32000,"message":"Bad Request: Server not initialized"},"id":null}' }), 'session_lost'],
  ['HTTP 400 other', http(400, { body: 'Bad Request: malformed X-Archon-Session-Id' }), 'definite'],
  ['HTTP 401', http(401), 'definite'],
  ['HTTP 403', http(403), 'definite'],
  ['HTTP 404 with Mcp-Session-Id', http(404, { mcpSessionId: 'abc' }), 'session_lost'],
  ['HTTP 404 without Mcp-Session-Id (wrong URL)', http(404), 'definite'],
  ['HTTP 408', http(408), 'not_delivered'],
  ['HTTP 409', http(409), 'definite'],
  ['HTTP 413', http(413), 'definite'],
  ['HTTP 422', http(422), 'definite'],
  ['HTTP 429', http(429), 'not_delivered'],
  ['HTTP 500', http(500), 'definite'],
  ['HTTP 502', http(502), 'response_lost'],
  ['HTTP 503', http(503), 'not_delivered'],
  ['HTTP 504', http(504), 'response_lost'],

  // Legacy: a stale session answered 400 (server-everything, the SDK 1.x examples), issue 8.
  ['HTTP 400 "No valid session ID provided" with Mcp-Session-Id', http(400, { body: NO_VALID_SESSION, mcpSessionId: 'abc' }), 'session_lost'],
  ['HTTP 400 "Session not found" with Mcp-Session-Id', http(400, { body: 'Session not found', mcpSessionId: 'abc' }), 'session_lost'],
  ['HTTP 400 "No valid session ID provided" without Mcp-Session-Id (nothing to lose)', http(400, { body: NO_VALID_SESSION }), 'definite'],
  ['HTTP 400 -32022 on a legacy session (server upgraded to modern-only)', http(400, { mcpSessionId: 'abc', body: '{"jsonrpc":"2.0","id":1,"error":{"code":-32022,"message":"Unsupported protocol version","data":{"supported":["2026-07-28"]}}}' }), 'session_lost'],

  // Modern (2026-07-28): the server's 400/404 bodies are JSON-RPC answers; a refusal without one is an era change.
  ['modern 400 -32022 UnsupportedProtocolVersion', modern(400, { code: -32022, data: { supported: ['2026-07-28'] } }), 'session_lost'],
  ['modern 400 -32020 HeaderMismatch', modern(400, { code: -32020 }), 'stale_tools'],
  ['modern 400 -32021 MissingRequiredClientCapability', modern(400, { code: -32021 }), 'definite'],
  ['modern 404 -32601 method not found (not a missing endpoint)', modern(404, { code: -32601 }), 'definite'],
  ['modern 400 -32602 invalid params / resource not found', modern(400, { code: -32602 }), 'definite'],
  ['modern 400 with an empty body (a legacy server)', modern(400, ''), 'session_lost'],
  ['modern 405 (a legacy server without GET)', modern(405, 'Method Not Allowed'), 'session_lost'],
  ['modern 400 "No valid session ID provided" (a legacy sessionful server)', modern(400, NO_VALID_SESSION), 'session_lost'],
  ['modern 404 with a non-JSON body (no MCP endpoint there any more)', modern(404, 'Not Found'), 'session_lost'],
  ['modern 401 is never era evidence', modern(401, { code: -32000 }), 'definite'],
  ['modern 403 is never era evidence', modern(403, ''), 'definite'],
  ['modern 429 with a JSON-RPC body is still rate limiting', modern(429, { code: -32000 }), 'not_delivered'],
  ['modern 503 with a JSON-RPC body is still refused work', modern(503, { code: -32000 }), 'not_delivered'],
  ['modern 500', modern(500, { code: -32603 }), 'definite'],
  ['modern stream cut after send (no resumption in this era)', network('UND_ERR_SOCKET', true), 'response_lost'],

  // Authorization (issue #11): the MCP server answered 401/403, so nothing ran there. What the authorization
  // server answered decides: "try later" is not delivered; a refusal or a user to send to the browser is final.
  ...([429, 500, 502, 503, 504] as const).map((status): [string, unknown, FailureClass] => [
    `authorization server HTTP ${status} (the MCP request was answered 401 first)`,
    new HttpError(`HTTP ${status} from the authorization server`, { status, source: 'authorization_server' }),
    'not_delivered',
  ]),
  ['authorization server HTTP 400', new HttpError('x', { status: 400, source: 'authorization_server' }), 'definite'],
  ['authorization server unreachable', new ConnectionError('x', { reason: 'refused', requestSent: false }), 'not_delivered'],
  ...(['redirect', 'rejected', 'insufficient_scope', 'failed'] as const).map((reason): [string, unknown, FailureClass] => [
    `AuthRequiredError ${reason}`,
    new AuthRequiredError('a', { reason, serverUrl: 'http://127.0.0.1/mcp', authorizationUrl: 'http://127.0.0.1/authorize' }),
    'definite',
  ]),
  ['HTTP 401 with Mcp-Session-Id is not a lost session', http(401, { mcpSessionId: 'abc' }), 'definite'],
  ['HTTP 403 insufficient_scope with Mcp-Session-Id is not a lost session', http(403, { mcpSessionId: 'abc', body: '{"error":"insufficient_scope"}' }), 'definite'],

  ['JSON-RPC -32601 method not found', rpc(-32601), 'definite'],
  ['JSON-RPC -32602 invalid params', rpc(-32602), 'definite'],
  ['JSON-RPC -32603 internal error', rpc(-32603), 'definite'],
  ['JSON-RPC -32000 server error', rpc(-32000), 'definite'],
  ['JSON-RPC -32001 session not found (as a body, not a status)', rpc(-32001, 'Session not found'), 'definite'],
  ['malformed JSON-RPC error object', wire({ kind: 'rpc', error: JSON.parse('{"code":"x","message":1}') as { code: number; message: string } }), 'definite'],

  ['TimeoutError attempt', new TimeoutError('t', { timeoutMs: 1, kind: 'attempt' }), 'response_lost'],
  ['TimeoutError connect', new TimeoutError('t', { timeoutMs: 1, kind: 'connect' }), 'not_delivered'],
  ['TimeoutError total', new TimeoutError('t', { timeoutMs: 1, kind: 'total' }), 'definite'],
  ['TimeoutError close', new TimeoutError('t', { timeoutMs: 1, kind: 'close' }), 'definite'],
  ['ProtocolError stream_ended', new ProtocolError('p', { reason: 'stream_ended' }), 'response_lost'],
  ['ProtocolError invalid_json', new ProtocolError('p', { reason: 'invalid_json' }), 'definite'],
  ['ProtocolError invalid_content_type', new ProtocolError('p', { reason: 'invalid_content_type' }), 'definite'],
  ['ProtocolError body_too_large', new ProtocolError('p', { reason: 'body_too_large' }), 'definite'],
  ['ConnectionError circuit_open', new ConnectionError('open', { reason: 'circuit_open', requestSent: false }), 'definite'],
  ['ToolCallError', new ToolCallError('t', { toolName: 'fail', result: toolResult }), 'definite'],
  ['AbortError', new AbortError(), 'definite'],
  ['ClosedError', new ClosedError(), 'definite'],
  ['OutputValidationError', new OutputValidationError('o', { toolName: 'x', issues: [], result: toolResult }), 'definite'],
  ['UnknownToolError', new UnknownToolError('u', { toolName: 'x', suggestions: [] }), 'definite'],
  ['MaybeExecutedError', new MaybeExecutedError('m', { method: 'tools/call', cause: undefined }), 'definite'],
  ['RetryExhaustedError', new RetryExhaustedError('r', { attempts: 3, elapsedMs: 10, cause: undefined }), 'definite'],
  ['plain Error (not understood)', new Error('boom'), 'definite'],
  ['TypeError (a programming bug)', new TypeError('x is not a function'), 'definite'],
  ['a thrown string', 'oops', 'definite'],
  ['undefined', undefined, 'definite'],
];

describe('classifyFailure', () => {
  test.each(rows.map(([label, error, expected]) => ({ label, error, expected })))('$label -> $expected', ({ error, expected }) => {
    expect(classifyFailure(error)).toBe(expected);
  });
});
