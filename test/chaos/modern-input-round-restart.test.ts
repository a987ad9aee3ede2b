/**
 * Fault matrix row "an input_required round across a restart" (issue 8): the v2 server asks for input, is
 * SIGKILLed and restarted while the client's handler is still answering, and the next round goes to the new
 * process. Rounds are stateless on the server (all state rides in `requestState`, echoed byte-exact), so the
 * call completes; the handler ran once per round, never again for a round whose answer it already gave.
 */
import type { ElicitResult } from '@modelcontextprotocol/client';
import { beforeEach, expect, test } from 'vitest';
import { clearEraVerdicts } from '../../src/session/era-cache';
import { createChaosClient } from '../support/chaos-client';
import { describeError, settle } from '../support/chaos-calls';
import { startModernChaosServer } from '../support/chaos-modern-server';
import { pollUntil } from '../support/chaos-poll';

beforeEach(() => clearEraVerdicts());

test('modern era: a restart during an input round: the call completes, the handler ran once per round', async ({ annotate }) => {
  await using chaos = await startModernChaosServer();
  const asked: string[] = [];
  let releaseFirst: (() => void) | undefined;
  const firstAnswered = new Promise<void>((resolve) => (releaseFirst = resolve));
  await using caller = createChaosClient({
    url: chaos.url,
    retry: { retries: 10_000, maxElapsedMs: 15_000, maxDelayMs: 500 },
    handlers: {
      elicitation: async ({ message }): Promise<ElicitResult> => {
        asked.push(message);
        if (asked.length === 1) {
          await firstAnswered; // the person is still typing while the server restarts
          return { action: 'accept', content: { name: 'Grace' } };
        }
        return { action: 'accept', content: { confirm: true } };
      },
    },
  });
  await caller.client.callTool('echo', { text: 'warm up' });

  const call = settle(caller.client.callTool('ask', {}));
  await pollUntil(() => asked.length === 1, { what: 'the first input request' });
  await chaos.server.restart();
  releaseFirst?.();
  const outcome = await call;
  await annotate(`${outcome.ok ? JSON.stringify(outcome.value.structuredContent) : describeError(outcome.error)}; client ${JSON.stringify(caller.client.stats())}`);

  expect(outcome.ok ? outcome.value.structuredContent : describeError(outcome.error)).toEqual({ name: 'Grace', team: 'core', confirm: true });
  expect(asked).toEqual(['Your name?', 'Confirm Grace?']);
  expect(caller.client.stats().inputRounds).toBe(2);
  // The restarted process served both later rounds and nothing else of this call.
  expect((await chaos.stats()).toolRuns['ask']).toBe(2);
}, 30_000);

test('modern era: a round cut on its way to a restarting server is re-sent with its inputResponses, once delivered', async () => {
  await using chaos = await startModernChaosServer();
  const asked: string[] = [];
  await using caller = createChaosClient({
    url: chaos.url,
    retry: { retries: 10_000, maxElapsedMs: 15_000, maxDelayMs: 500 },
    handlers: {
      elicitation: async ({ message }): Promise<ElicitResult> => {
        asked.push(message);
        // The server dies while the handler answers: the round that carries this answer meets a closed port.
        if (asked.length === 1) await chaos.server.kill();
        return asked.length === 1 ? { action: 'accept', content: { name: 'Linus' } } : { action: 'accept', content: { confirm: false } };
      },
    },
  });
  await caller.client.callTool('echo', { text: 'warm up' });
  const call = settle(caller.client.callTool('ask', {}));
  await pollUntil(() => !chaos.server.running, { what: 'the server to be down' });
  await chaos.server.start();
  const outcome = await call;

  expect(outcome.ok ? outcome.value.structuredContent : describeError(outcome.error)).toEqual({ name: 'Linus', team: 'core', confirm: false });
  expect(asked).toEqual(['Your name?', 'Confirm Linus?']);
}, 30_000);
