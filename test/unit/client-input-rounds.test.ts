/**
 * The rules of input rounds (spec 2026-07-28 basic/patterns/mrtr) and SEP-1034 defaults, as pure functions:
 * `send` is the seam a round goes out through, scripted here with the results a server would return.
 */
import { describe, expect, test } from 'vitest';
import { InputRoundError, ProtocolError } from '../../src/errors/tree';
import { withElicitationDefaults } from '../../src/client/input-handlers';
import { type InputRoundOptions, runInputRounds } from '../../src/client/input-rounds';

const elicit = { method: 'elicitation/create', params: { message: 'ok?', requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } } } } };
const options = (overrides: Partial<InputRoundOptions> = {}): InputRoundOptions => ({
  handlers: { elicitation: () => ({ action: 'accept', content: { ok: true } }) },
  maxRounds: 8,
  scope: { signal: new AbortController().signal },
  era: () => 'modern',
  ...overrides,
});

/** A `send` that returns `results` in turn and records the params of every round. */
function scripted(results: Record<string, unknown>[]): { send: (params: Record<string, unknown> | undefined) => Promise<Record<string, unknown>>; sent: (Record<string, unknown> | undefined)[] } {
  const sent: (Record<string, unknown> | undefined)[] = [];
  return {
    sent,
    send: (params) => {
      sent.push(params);
      const next = results.shift();
      return next === undefined ? Promise.reject(new Error('script exhausted')) : Promise.resolve(next);
    },
  };
}

describe('runInputRounds', () => {
  test('a result without resultType is complete: one send, nothing else', async () => {
    const { send, sent } = scripted([{ content: [] }]);
    await expect(runInputRounds(send, 'tools/call', { name: 't' }, options())).resolves.toEqual({ content: [] });
    expect(sent).toHaveLength(1);
  });

  test('each round starts from the original params: responses and state of an earlier round never carry over', async () => {
    const { send, sent } = scripted([
      { resultType: 'input_required', inputRequests: { a: elicit }, requestState: 'S1 exact  bytes ✓' },
      { resultType: 'input_required', inputRequests: { b: elicit } },
      { resultType: 'complete', content: [] },
    ]);
    await runInputRounds(send, 'tools/call', { name: 't', arguments: { x: 1 } }, options());
    expect(sent).toEqual([
      { name: 't', arguments: { x: 1 } },
      { name: 't', arguments: { x: 1 }, inputResponses: { a: { action: 'accept', content: { ok: true } } }, requestState: 'S1 exact  bytes ✓' },
      // No requestState this time: the server sent none, so the retry must not carry one.
      { name: 't', arguments: { x: 1 }, inputResponses: { b: { action: 'accept', content: { ok: true } } } },
    ]);
  });

  test('requestState alone (no inputRequests) is retried at once, without inputResponses', async () => {
    const { send, sent } = scripted([{ resultType: 'input_required', requestState: 'again' }, { content: [] }]);
    await runInputRounds(send, 'prompts/get', { name: 'p' }, options());
    expect(sent[1]).toEqual({ name: 'p', requestState: 'again' });
  });

  test.each([1, 3])('maxRounds %i: the round after the last allowed one is an InputRoundError max_rounds', async (maxRounds) => {
    const endless = Array.from({ length: maxRounds + 5 }, () => ({ resultType: 'input_required', inputRequests: { a: elicit } }));
    const { send, sent } = scripted(endless);
    const error = await runInputRounds(send, 'tools/call', {}, options({ maxRounds })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputRoundError);
    expect((error as InputRoundError).reason).toBe('max_rounds');
    expect(sent).toHaveLength(maxRounds + 1);
  });

  test.each([
    ['input_required on a method that may not ask (tools/list)', 'tools/list', { resultType: 'input_required', requestState: 's' }],
    ['an unknown resultType', 'tools/call', { resultType: 'task' }],
    ['neither inputRequests nor requestState', 'tools/call', { resultType: 'input_required' }],
    ['a requestState that is not a string', 'tools/call', { resultType: 'input_required', requestState: 7 }],
    ['inputRequests that are not an object', 'tools/call', { resultType: 'input_required', inputRequests: [elicit] }],
  ])('%s is a ProtocolError', async (_label, method, result) => {
    const { send } = scripted([result]);
    await expect(runInputRounds(send, method, {}, options())).rejects.toBeInstanceOf(ProtocolError);
  });

  test.each([
    ['more than 32 requests in one round', { resultType: 'input_required', inputRequests: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, elicit])) }, 'invalid_request'],
    ['a request without a method', { resultType: 'input_required', inputRequests: { a: { params: {} } } }, 'invalid_request'],
    ['a method that is no input request', { resultType: 'input_required', inputRequests: { a: { method: 'tools/call', params: {} } } }, 'invalid_request'],
    ['a method without a handler', { resultType: 'input_required', inputRequests: { a: { method: 'roots/list' } } }, 'no_handler'],
  ])('%s is an InputRoundError %s', async (_label, result, reason) => {
    const { send } = scripted([result]);
    await expect(runInputRounds(send, 'tools/call', {}, options())).rejects.toMatchObject({ code: 'INPUT_ROUND_FAILED', reason });
  });

  test('an aborted call ends a handler wait at once', async () => {
    const controller = new AbortController();
    const { send } = scripted([{ resultType: 'input_required', inputRequests: { a: elicit } }]);
    const pending = runInputRounds(send, 'tools/call', {}, options({ scope: { signal: controller.signal }, handlers: { elicitation: () => new Promise(() => undefined) } }));
    const reason = new Error('gone');
    controller.abort(reason);
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED', cause: reason });
  });
});

describe('withElicitationDefaults (SEP-1034)', () => {
  const schema = {
    requestedSchema: {
      type: 'object',
      properties: {
        name: { type: 'string', default: 'John Doe' },
        age: { type: 'integer', default: 30 },
        score: { type: 'number', default: 95.5 },
        status: { type: 'string', enum: ['active', 'inactive'], default: 'active' },
        verified: { type: 'boolean', default: true },
        tags: { type: 'array', items: { type: 'string' }, default: ['a'] },
        note: { type: 'string' },
      },
    },
  };

  test('fills every omitted field that has a default, keeps what the user gave, leaves the rest out', () => {
    expect(withElicitationDefaults(schema, { action: 'accept', content: { name: 'Ada', verified: false } })).toEqual({
      action: 'accept',
      content: { name: 'Ada', verified: false, age: 30, score: 95.5, status: 'active', tags: ['a'] },
    });
  });

  test('fills an accept that came without content at all', () => {
    expect(withElicitationDefaults(schema, { action: 'accept' })).toMatchObject({ content: { name: 'John Doe', age: 30 } });
  });

  test.each([
    ['decline', { action: 'decline' }],
    ['cancel', { action: 'cancel' }],
  ])('leaves a %s untouched', (_label, result) => {
    expect(withElicitationDefaults(schema, result)).toBe(result);
  });

  test('a default is copied, so the server schema object is not shared with the answer', () => {
    const filled = withElicitationDefaults(schema, { action: 'accept', content: {} }) as { content: { tags: string[] } };
    filled.content.tags.push('b');
    expect(schema.requestedSchema.properties.tags.default).toEqual(['a']);
  });
});
