import { setTimeout as sleep } from 'node:timers/promises';
import type { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { ToolContext } from '../tool-context';

// Built once per process, not per session (see basic-tools.ts).
const COUNTER_INPUT = z.object({
  key: z.string().min(1).max(200).optional(),
  delayMs: z.number().int().min(0).max(60_000).optional(),
});
const COUNTER_OUTPUT = z.object({ key: z.string(), value: z.number().int(), executions: z.number().int() });
const SLOW_INPUT = z.object({
  steps: z.number().int().min(1).max(1_000).optional(),
  intervalMs: z.number().int().min(0).max(60_000).optional(),
});
const SLOW_OUTPUT = z.object({ steps: z.number().int() });
const RECONNECTION_INPUT = z.object({ delayMs: z.number().int().min(0).max(10_000).optional() });
const NOTIFY_INPUT = z.object({
  text: z.string(),
  level: z.enum(['debug', 'info', 'notice', 'warning', 'error']).optional(),
});
const NOTIFY_OUTPUT = z.object({ logged: z.boolean(), resourcesUpdated: z.array(z.string()) });

/** Waits `ms`; when the request is cancelled, counts the cancellation and rethrows (the SDK then sends nothing). */
async function cancellableSleep(ms: number, signal: AbortSignal, tool: string, context: ToolContext): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch (error) {
    if (signal.aborted) context.recordToolCancelled(tool);
    throw error;
  }
}

/**
 * Registers the tools that exercise recovery: `counter` (non-idempotent), `slow` (progress,
 * cancellation), `test_reconnection` (closes its own stream) and `notify` (notifications, in both eras).
 *
 * @example
 * ```ts
 * registerStatefulTools(new McpServer({ name: 'demo', version: '1.0.0' }), context);
 * ```
 */
export function registerStatefulTools(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'counter',
    {
      description: 'Increments a counter and returns it. NOT idempotent: every execution counts.',
      inputSchema: COUNTER_INPUT,
      outputSchema: COUNTER_OUTPUT,
      annotations: { readOnlyHint: false, idempotentHint: false, destructiveHint: false },
    },
    async ({ key = 'default', delayMs = 0 }, ctx) => {
      context.recordToolRun('counter');
      // Counted before the delay so a test can kill the server after the execution but before the answer.
      const execution = context.counter.increment(key);
      if (delayMs > 0) await cancellableSleep(delayMs, ctx.mcpReq.signal, 'counter', context);
      return { content: [{ type: 'text', text: JSON.stringify(execution) }], structuredContent: { ...execution } };
    },
  );

  server.registerTool(
    'slow',
    {
      description: 'Takes `steps` steps of `intervalMs`, reporting progress after each; honours cancellation.',
      inputSchema: SLOW_INPUT,
      outputSchema: SLOW_OUTPUT,
      annotations: { readOnlyHint: true, idempotentHint: true },
    },
    async ({ steps = 5, intervalMs = 100 }, ctx) => {
      context.recordToolRun('slow');
      const progressToken = ctx.mcpReq._meta?.progressToken;
      for (let step = 1; step <= steps; step += 1) {
        await cancellableSleep(intervalMs, ctx.mcpReq.signal, 'slow', context);
        if (progressToken !== undefined) {
          await ctx.mcpReq.notify({
            method: 'notifications/progress',
            params: { progressToken, progress: step, total: steps, message: `step ${step} of ${steps}` },
          });
        }
      }
      return { content: [{ type: 'text', text: `done after ${steps} steps` }], structuredContent: { steps } };
    },
  );

  server.registerTool(
    'test_reconnection',
    {
      description:
        'Tests SSE stream disconnection and client reconnection (SEP-1699). Server will close the stream mid-call and send the result after client reconnects.',
      inputSchema: RECONNECTION_INPUT,
      annotations: { readOnlyHint: true, idempotentHint: true },
    },
    async ({ delayMs = 100 }, ctx) => {
      context.recordToolRun('test_reconnection');
      // Without an event store the result could never be replayed: answer on the open stream instead.
      const resumable = context.eventStore;
      if (resumable) context.closeRequestStream(ctx.mcpReq.id);
      await cancellableSleep(delayMs, ctx.mcpReq.signal, 'test_reconnection', context);
      // The text of the upstream conformance fixture (modelcontextprotocol/conformance everything-server).
      const text = resumable
        ? 'Reconnection test completed successfully. If you received this, the client properly reconnected after stream closure.'
        : 'Reconnection test completed without closing the stream: the server has no event store.';
      return { content: [{ type: 'text', text }] };
    },
  );

  server.registerTool(
    'notify',
    {
      description:
        'Sends a log notification and resources/updated: on the session GET stream for the resources this session ' +
        "subscribed to (2025 era); on this request's stream and to the listen streams that asked for archon://status (2026-07-28).",
      inputSchema: NOTIFY_INPUT,
      outputSchema: NOTIFY_OUTPUT,
    },
    async ({ text, level = 'info' }, ctx) => {
      context.recordToolRun('notify');
      const legacySession = context.describeSession() !== undefined;
      if (legacySession) {
        // No relatedRequestId: the SDK routes these to the standalone GET stream, not this POST's stream.
        await server.server.sendLoggingMessage({ level, logger: 'archon', data: text }, ctx.sessionId);
      } else {
        // 2026-07-28 has no GET stream: the log rides this request's stream, at the level its _meta asks for.
        await ctx.mcpReq.log(level, text, 'archon');
      }
      // A modern server keeps no subscriptions (they are the listen streams' filters): it announces the change,
      // and the listen streams that asked for the URI hear it.
      const resourcesUpdated = legacySession ? [...context.subscriptions] : ['archon://status'];
      for (const uri of resourcesUpdated) await server.server.sendResourceUpdated({ uri });
      const result = { logged: true, resourcesUpdated };
      return { content: [{ type: 'text', text: JSON.stringify(result) }], structuredContent: result };
    },
  );
}
