/**
 * The tools of the v2 fixture server (`@modelcontextprotocol/server` 2.4.0, `createMcpHandler`): what the
 * modern-era tests and chaos rows need from a real official server. `counter` appends each execution to a
 * ledger file BEFORE it waits, so a test counts executions across SIGKILLs; `ask` asks for input over
 * `input_required` rounds; `region` mirrors a parameter into `Mcp-Param-Region` and echoes what it got.
 */
import { appendFileSync } from 'node:fs';
import {
  acceptedContent,
  type CallToolResult,
  type InputRequiredResult,
  inputRequired,
  McpServer,
  type McpRequestContext,
} from '@modelcontextprotocol/server';
import * as z from 'zod/v4';

/** What the factory reads from the fixture's process state. */
export interface FixtureState {
  readonly counterFile: string | undefined;
  readonly toolsTtlMs: number;
  /** Bumped by `/__fixture/change-tools`: an extra tool appears or disappears. */
  extraTool: boolean;
  /** Whether `region` marks its parameter `x-mcp-header` (switched without a list_changed, to cause -32020). */
  regionHeader: boolean;
  readonly toolRuns: Map<string, number>;
}

function ran(state: FixtureState, name: string): void {
  state.toolRuns.set(name, (state.toolRuns.get(name) ?? 0) + 1);
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });

const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] });

/**
 * Builds the per-request `McpServer` (the factory `createMcpHandler` calls once per request).
 *
 * @example
 * ```ts
 * const handler = createMcpHandler((context) => buildFixtureServer(state, context));
 * ```
 */
export function buildFixtureServer(state: FixtureState, context: McpRequestContext): McpServer {
  const server = new McpServer(
    { name: 'archon-v2-fixture', version: '1.0.0' },
    {
      instructions: 'Fixture server for archon-mcp-client tests',
      capabilities: { resources: { subscribe: true, listChanged: true }, tools: { listChanged: true } },
      cacheHints: {
        'tools/list': { ttlMs: state.toolsTtlMs, cacheScope: 'public' },
        'resources/read': { ttlMs: 60_000, cacheScope: 'private' },
      },
    },
  );
  server.registerTool('echo', { description: 'Echoes text', inputSchema: z.object({ text: z.string() }), annotations: { readOnlyHint: true } }, async ({ text: value }) => {
    ran(state, 'echo');
    return text(value);
  });
  server.registerTool(
    'counter',
    {
      description: 'Not idempotent: appends one ledger line per execution, then waits delayMs',
      inputSchema: z.object({ key: z.string(), delayMs: z.number().int().min(0).max(60_000).optional() }),
      annotations: { readOnlyHint: false, idempotentHint: false, destructiveHint: false },
    },
    async ({ key, delayMs }, ctx) => {
      ran(state, 'counter');
      if (state.counterFile !== undefined) appendFileSync(state.counterFile, `${key}\n`);
      if (delayMs) await sleep(delayMs, ctx.mcpReq.signal);
      return { content: [{ type: 'text', text: key }], structuredContent: { key } };
    },
  );
  server.registerTool(
    'slow',
    {
      description: 'Read-only: sends progress every intervalMs, steps times',
      inputSchema: z.object({ steps: z.number().int().min(1).max(100), intervalMs: z.number().int().min(0).max(10_000) }),
      outputSchema: z.object({ steps: z.number() }),
      annotations: { readOnlyHint: true },
    },
    async ({ steps, intervalMs }, ctx) => {
      ran(state, 'slow');
      const token = ctx.mcpReq._meta?.progressToken;
      for (let step = 1; step <= steps; step++) {
        await sleep(intervalMs, ctx.mcpReq.signal);
        if (token !== undefined) await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress: step, total: steps } });
      }
      return { content: [{ type: 'text', text: `${steps} steps` }], structuredContent: { steps } };
    },
  );
  server.registerTool(
    'ask',
    { description: 'Asks for a name, then for a confirmation: two input rounds driven by requestState', inputSchema: z.object({}) },
    async (_args, ctx): Promise<CallToolResult | InputRequiredResult> => {
      ran(state, 'ask');
      const step = ctx.mcpReq.requestState<string>() ?? 'start';
      const responses = ctx.mcpReq.inputResponses;
      if (step === 'start') {
        const schema = { type: 'object' as const, properties: { name: { type: 'string' as const }, team: { type: 'string' as const, default: 'core' } }, required: ['name'] };
        return inputRequired({ inputRequests: { name: inputRequired.elicit({ message: 'Your name?', requestedSchema: schema }) }, requestState: 'name' });
      }
      if (step === 'name') {
        const given = acceptedContent<{ name: string; team?: string }>(responses, 'name');
        if (given === undefined) return inputRequired({ requestState: 'start' });
        const schema = { type: 'object' as const, properties: { confirm: { type: 'boolean' as const } }, required: ['confirm'] };
        return inputRequired({
          inputRequests: { confirm: inputRequired.elicit({ message: `Confirm ${given.name}?`, requestedSchema: schema }) },
          requestState: `confirm:${given.name}:${given.team ?? '(none)'}`,
        });
      }
      const [, name = '', team = ''] = step.split(':');
      const confirm = acceptedContent<{ confirm: boolean }>(responses, 'confirm');
      if (confirm === undefined) return inputRequired({ requestState: 'name' });
      return { content: [{ type: 'text', text: `${name} (${team}) confirmed=${String(confirm.confirm)}` }], structuredContent: { name, team, confirm: confirm.confirm } };
    },
  );
  server.registerTool(
    'region',
    {
      description: 'Mirrors region into Mcp-Param-Region and reports the header it received',
      inputSchema: z.object({ region: state.regionHeader ? z.string().meta({ 'x-mcp-header': 'Region' }) : z.string(), query: z.string().optional() }),
    },
    async () => {
      ran(state, 'region');
      return text(context.requestInfo?.headers.get('mcp-param-region') ?? '(none)');
    },
  );
  server.registerTool(
    'bad_header',
    { description: 'Invalid x-mcp-header on an object parameter: clients must drop it', inputSchema: z.object({ data: z.object({}).meta({ 'x-mcp-header': 'Data' }) }) },
    async () => text('should never run'),
  );
  if (state.extraTool) server.registerTool('extra', { description: 'Present after change-tools', inputSchema: z.object({}) }, async () => text('extra'));
  server.registerResource('status', 'fixture://status', { mimeType: 'text/plain' }, async (uri) => ({ contents: [{ uri: uri.href, text: `status ${Date.now()}` }] }));
  return server;
}
