/**
 * Issue 9 case 5: after its result, a response stream gets a bounded drain, then it is destroyed. Measured before
 * the fix: 50 calls to a server that never ends its SSE answers held 50 sockets until close(), plus a
 * MaxListenersExceededWarning (every drain listened on one shared signal), and discard() drained without limit.
 */
import { describe, expect, test } from 'vitest';
import { MCPClient } from '../../src/index';
import { resultEvent, startHostileServer, startSse } from './support/hostile-server';
import { STACKS, reportFigures, startLoopMonitor } from './support/loop-monitor';
import { waitFor } from '../transport/wire-fixture';

const CALLS = 50;
const DRAIN_TIMEOUT_MS = 300;

describe.each(STACKS)('on the %s stack', (name, stack) => {
  test(`${CALLS} calls whose SSE answers never end hold no socket past the drain deadline`, async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning.name);
    };
    process.on('warning', onWarning);
    await using server = await startHostileServer({
      methods: {
        'tools/call': (request, res) => {
          // The result, then silence: the stream stays open (a server that ignores the spec's SHOULD close).
          startSse(res).write(resultEvent(request.id, { content: [{ type: 'text', text: 'ok' }] }));
          return true;
        },
      },
    });
    await using client = new MCPClient({ url: server.url, listen: false, drainTimeoutMs: DRAIN_TIMEOUT_MS, ...stack });
    await client.listTools();
    const monitor = startLoopMonitor();
    const started = performance.now();
    for (let call = 0; call < CALLS; call++) await client.callTool('probe', {});
    const heldRightAfter = server.openResponses();
    await waitFor(() => server.openResponses() === 0, DRAIN_TIMEOUT_MS + 3_000);
    const releasedAfterMs = performance.now() - started;
    const gaps = monitor.stop();
    process.off('warning', onWarning);
    reportFigures(`case 5 ${CALLS} held SSE answers (${name})`, {
      heldRightAfter,
      heldAfterDrain: server.openResponses(),
      releasedAfterMs,
      socketsOpen: server.openSockets(),
      ...gaps,
    });
    expect(server.calls.get('tools/call')).toBe(CALLS);
    // No socket is held by an answer: each one was destroyed at its drain deadline (the server saw it close).
    expect(server.openResponses()).toBe(0);
    // undici (nodejs/undici#5845, fix in PR #5846) then opens one never-used connection per aborted stream; it stays
    // in the pool, is reused by later requests and closes with the client, so the total is bounded by the calls.
    expect(server.openSockets()).toBeLessThanOrEqual(CALLS + 2);
    expect(warnings).not.toContain('MaxListenersExceededWarning');
    expect(gaps.maxBlockedMs).toBeLessThan(100);
  });

  test('a stream that keeps sending after the result is dropped after at most the drain byte cap', async () => {
    let bytesWritten = 0;
    await using server = await startHostileServer({
      methods: {
        'tools/call': (request, res) => {
          startSse(res).write(resultEvent(request.id, { content: [] }));
          const comment = `: ${'x'.repeat(64 * 1024)}\n`;
          const pump = (): void => {
            while (!res.destroyed) {
              bytesWritten += comment.length;
              if (!res.write(comment)) break;
            }
            if (!res.destroyed) res.once('drain', pump);
          };
          pump();
          return true;
        },
      },
    });
    await using client = new MCPClient({ url: server.url, listen: false, drainTimeoutMs: 10_000, ...stack });
    await client.callTool('probe', {});
    await waitFor(() => server.openResponses() === 0, 5_000);
    reportFigures(`case 5 endless stream after result (${name})`, { serverWroteKiB: bytesWritten / 1024 });
    // The drain reads 1 MiB at most; what the server could write beyond that sat in socket buffers.
    expect(bytesWritten).toBeLessThan(16 * 1024 * 1024);
  });
});
