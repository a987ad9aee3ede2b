/**
 * One set of typed handlers for what the server asks of the client (issue 8 item 4), against real servers in
 * both eras: the official v2 server's `input_required` rounds (modern) and a v1 sessionful server's
 * server->client requests (legacy). Rounds echo requestState, carry the handlers' answers, are bounded by
 * `maxInputRounds` and by the call's total timeout; a bad handler result never reaches the server.
 */
import type { ElicitRequest, ElicitResult } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { InputRoundError, MCPClient, RpcError, TimeoutError } from '../../src/index';
import { clearEraVerdicts } from '../../src/session/era-cache';
import { type FixtureProcess, startFixtureProcess } from '../support/fixture-process';

interface FixtureStats {
  byMethod: Record<string, number>;
  toolRuns: Record<string, number>;
}

let modern: FixtureProcess;
let legacy: FixtureProcess;

beforeAll(async () => {
  [modern, legacy] = await Promise.all([startFixtureProcess('v2-fixture-bin.ts', { FIXTURE_LEGACY: 'reject' }), startFixtureProcess('v1-sessionful-bin.ts')]);
}, 90_000);

afterAll(async () => {
  await Promise.all([modern?.kill(), legacy?.kill()]);
});

beforeEach(() => clearEraVerdicts());

/** Answers `ask`: a name first (the team is left to its schema default), then a confirmation. */
function askHandler(calls: ElicitRequest['params'][]) {
  return (params: ElicitRequest['params']): ElicitResult => {
    calls.push(params);
    return calls.length % 2 === 1 ? { action: 'accept' as const, content: { name: 'Ada' } } : { action: 'accept' as const, content: { confirm: true } };
  };
}

describe('modern input_required rounds', () => {
  test('two rounds: each handler call answers one round, requestState is echoed, SEP-1034 defaults are filled in', async () => {
    const calls: ElicitRequest['params'][] = [];
    await using client = new MCPClient({ url: modern.url, handlers: { elicitation: askHandler(calls) } });
    const before = await modern.get<FixtureStats>('/__fixture/stats');
    const result = await client.callTool('ask', {});
    const after = await modern.get<FixtureStats>('/__fixture/stats');

    // The team came from the requested schema's default: the handler never named one.
    expect(result.structuredContent).toEqual({ name: 'Ada', team: 'core', confirm: true });
    expect(calls.map((params) => params.message)).toEqual(['Your name?', 'Confirm Ada?']);
    expect(client.stats().inputRounds).toBe(2);
    expect((after.byMethod['tools/call'] ?? 0) - (before.byMethod['tools/call'] ?? 0)).toBe(3);
    expect(client.era).toBe('modern');
  });

  test('maxInputRounds bounds the rounds: InputRoundError max_rounds, and no further request is sent', async () => {
    const calls: ElicitRequest['params'][] = [];
    await using client = new MCPClient({ url: modern.url, maxInputRounds: 1, handlers: { elicitation: askHandler(calls) } });
    const before = await modern.get<FixtureStats>('/__fixture/stats');
    const error = await client.callTool('ask', {}).catch((caught: unknown) => caught);
    const after = await modern.get<FixtureStats>('/__fixture/stats');
    expect(error).toBeInstanceOf(InputRoundError);
    expect((error as InputRoundError).reason).toBe('max_rounds');
    expect(calls).toHaveLength(1);
    expect((after.byMethod['tools/call'] ?? 0) - (before.byMethod['tools/call'] ?? 0)).toBe(2);
  });

  test('a handler result that breaks the SDK schema fails the call with invalid_response and is never sent', async () => {
    await using client = new MCPClient({ url: modern.url, handlers: { elicitation: () => ({ action: 'maybe' }) as never } });
    const before = await modern.get<FixtureStats>('/__fixture/stats');
    const error = await client.callTool('ask', {}).catch((caught: unknown) => caught);
    const after = await modern.get<FixtureStats>('/__fixture/stats');
    expect(error).toMatchObject({ code: 'INPUT_ROUND_FAILED', reason: 'invalid_response', method: 'elicitation/create' });
    expect((after.byMethod['tools/call'] ?? 0) - (before.byMethod['tools/call'] ?? 0)).toBe(1);
  });

  test('a throwing handler fails the call with handler_failed, its error as the cause', async () => {
    const failure = new Error('the user closed the dialog');
    await using client = new MCPClient({ url: modern.url, handlers: { elicitation: () => Promise.reject(failure) } });
    const error = await client.callTool('ask', {}).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ reason: 'handler_failed', cause: failure });
  });

  test('the total timeout spans the rounds: a handler that takes too long ends the call, and its signal aborts', async () => {
    let handlerSignal: AbortSignal | undefined;
    await using client = new MCPClient({
      url: modern.url,
      totalTimeoutMs: 400,
      handlers: {
        elicitation: (_params, context) => {
          handlerSignal = context.signal;
          return new Promise(() => undefined);
        },
      },
    });
    const error = await client.callTool('ask', {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).kind).toBe('total');
    expect(handlerSignal?.aborted).toBe(true);
  });

  test('without an elicitation handler the client declares no such capability, and the server refuses with -32021', async () => {
    await using client = new MCPClient({ url: modern.url });
    const error = await client.callTool('ask', {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).rpcCode).toBe(-32021);
  });
});

describe('legacy server->client requests, same handlers', () => {
  test('elicitation: the handler answers, defaults filled in (SEP-1034)', async () => {
    const calls: ElicitRequest['params'][] = [];
    await using client = new MCPClient({ url: legacy.url, listen: false, handlers: { elicitation: askHandler(calls) } });
    const result = await client.callTool('ask_legacy', {});
    expect(client.era).toBe('legacy');
    expect(JSON.parse((result.content[0] as { text: string }).text)).toEqual({ action: 'accept', content: { name: 'Ada', team: 'core' } });
    expect(calls).toHaveLength(1);
  });

  test('roots and sampling: the declared capabilities let the server ask, the answers arrive', async () => {
    await using client = new MCPClient({
      url: legacy.url,
      listen: false,
      handlers: {
        roots: () => ({ roots: [{ uri: 'file:///workspace', name: 'workspace' }] }),
        sampling: () => ({ role: 'assistant', content: { type: 'text', text: 'hello' }, model: 'test-model' }),
      },
    });
    const roots = await client.callTool('roots_legacy', {});
    const sample = await client.callTool('sample_legacy', {});
    expect(JSON.parse((roots.content[0] as { text: string }).text)).toEqual({ roots: [{ uri: 'file:///workspace', name: 'workspace' }] });
    expect(JSON.parse((sample.content[0] as { text: string }).text)).toMatchObject({ model: 'test-model', content: { text: 'hello' } });
  });

  test('a handler result that breaks the SDK schema reaches the server as a JSON-RPC error, not as the result', async () => {
    await using client = new MCPClient({ url: legacy.url, listen: false, throwOnToolError: false, handlers: { roots: () => ({ roots: [{ uri: 'not a uri' }] }) as never } });
    const result = await client.callTool('roots_legacy', {});
    expect(result.isError).toBe(true);
    expect((result.content[0] as { text: string }).text).toMatch(/^error: .*roots/);
  });
});

describe('notify', () => {
  test('sends a notification in either era without failing', async () => {
    await using modernClient = new MCPClient({ url: modern.url, handlers: { roots: () => ({ roots: [] }) } });
    await using legacyClient = new MCPClient({ url: legacy.url, listen: false, handlers: { roots: () => ({ roots: [] }) } });
    await expect(legacyClient.notify('notifications/roots/list_changed')).resolves.toBeUndefined();
    const before = await modern.get<FixtureStats>('/__fixture/stats');
    await modernClient.notify('notifications/roots/list_changed');
    const after = await modern.get<FixtureStats>('/__fixture/stats');
    expect((after.byMethod['notifications/roots/list_changed'] ?? 0) - (before.byMethod['notifications/roots/list_changed'] ?? 0)).toBe(1);
  });
});
