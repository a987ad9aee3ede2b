/**
 * The client under test for the official conformance suite's client scenarios
 * (`conformance client --command "node --import tsx test/conformance/client-entry.ts" --scenario X`), driven
 * through MCPClient's public API only, with its defaults (`era: 'auto'`): each scenario's mock server decides
 * which era the client lands on.
 *
 * The harness starts a mock server per scenario, appends its URL as the last argument, names the scenario in
 * MCP_CONFORMANCE_SCENARIO and, for some, passes MCP_CONFORMANCE_CONTEXT (JSON). What each scenario checks
 * (read in @modelcontextprotocol/conformance 0.1.16 and 0.2.0-alpha.12):
 * - `initialize` (2025): the initialize request carries a known protocolVersion and clientInfo.
 * - `tools_call` (2025 and 2026-07-28): `add_numbers` is called with numbers.
 * - `sse-retry` (2025): reconnect with GET + Last-Event-ID after the server's `retry: 500`.
 * - `request-metadata` (2026): `_meta` envelope and MCP-Protocol-Version on every POST; the first request is
 *   refused with -32022 and must be retried with a listed version.
 * - `http-standard-headers` (2026): Mcp-Method on every POST, Mcp-Name on tools/call, resources/read, prompts/get.
 * - `http-custom-headers` (2026): the context's tool calls, with `x-mcp-header` parameters mirrored and encoded.
 * - `http-invalid-tool-headers` (2026): tools with an invalid `x-mcp-header` are never called, the valid one is.
 * - `sep-2322-client-request-state` (2026): input rounds echo requestState byte-exact under a new id, never on
 *   a parallel call; a result without resultType is complete.
 * - `json-schema-ref-no-deref` (2026): listing a tool whose schema has a network `$ref` fetches nothing.
 * - `json-schema-2020-12-preservation` (2025 and 2026): a listed inputSchema keeps every 2020-12 keyword.
 * - `elicitation-sep1034-client-defaults` (2025): an accepted elicitation gets the schema's defaults filled in.
 * - `auth/*` (2025-11-25, 2026-07-28, and the client-credentials extensions): MCPClient's `authProvider`; see
 *   `conformance-auth.ts` for the provider (the browser step done programmatically, then `finishAuth`).
 * Exit code 0 means the client did its part; the harness judges the wire.
 */
import type { Tool } from '@modelcontextprotocol/client';
import { MCPClient, type MCPClientOptions } from '../../src/index';
import { authOptionsFor, authorized, isAuthScenario } from './conformance-auth';

type ScenarioRun = (client: MCPClient) => Promise<unknown>;

/** Arguments for a listed tool from its schema: a plausible value for each required property. */
function argumentsFor(tool: Tool): Record<string, unknown> {
  const properties = (tool.inputSchema.properties ?? {}) as Record<string, { type?: unknown }>;
  const args: Record<string, unknown> = {};
  for (const name of tool.inputSchema.required ?? []) {
    const type = properties[name]?.type;
    args[name] = type === 'number' || type === 'integer' ? 1 : type === 'boolean' ? true : type === 'object' ? {} : type === 'array' ? [] : 'value';
  }
  return args;
}

async function callEveryListedTool(client: MCPClient): Promise<string[]> {
  const { tools } = await client.listTools();
  for (const tool of tools) await client.callTool(tool.name, argumentsFor(tool));
  return tools.map((tool) => tool.name);
}

function contextToolCalls(): { name: string; arguments: Record<string, unknown> }[] {
  const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}') as { toolCalls?: { name: string; arguments: Record<string, unknown> }[] };
  return context.toolCalls ?? [];
}

const SCENARIOS: Readonly<Record<string, ScenarioRun>> = {
  initialize: (client) => client.connect(),
  tools_call: (client) => client.callTool('add_numbers', { a: 5, b: 3 }),
  'sse-retry': (client) => client.callTool('test_reconnection', {}),
  'request-metadata': (client) => client.listTools(),
  'http-standard-headers': async (client) => {
    await callEveryListedTool(client);
    const { resources } = await client.listResources();
    for (const resource of resources) await client.readResource(resource.uri);
    const { prompts } = await client.listPrompts();
    for (const prompt of prompts) await client.getPrompt(prompt.name);
  },
  'http-custom-headers': async (client) => {
    await client.listTools();
    for (const call of contextToolCalls()) await client.callTool(call.name, call.arguments);
  },
  'http-invalid-tool-headers': callEveryListedTool,
  'json-schema-ref-no-deref': (client) => client.listTools(),
  'json-schema-2020-12-preservation': async (client) => {
    const { tools } = await client.listTools();
    const focal = tools.find((tool) => tool.name === 'json_schema_2020_12_tool');
    if (focal === undefined) throw new Error('json_schema_2020_12_tool is not listed');
    return client.callTool('json_schema_echo', { schema: focal.inputSchema });
  },
  'sep-2322-client-request-state': async (client) => {
    const results = [];
    for (const name of ['test_mrtr_echo_state', 'test_mrtr_no_state', 'test_mrtr_no_result_type']) results.push(await client.callTool(name, {}));
    return results;
  },
  'elicitation-sep1034-client-defaults': (client) => client.callTool('test_client_elicitation_defaults', {}),
};

/**
 * Every auth scenario: connect, list the tools, call `test-tool` when the server lists it (the
 * client-credentials mocks list none). A login the provider completed is finished with `finishAuth`, then the
 * same operation goes on (`authorized`).
 */
async function runAuthScenario(client: MCPClient): Promise<string[]> {
  await authorized(client, () => client.connect());
  const { tools } = await authorized(client, () => client.listTools());
  if (tools.some((tool) => tool.name === 'test-tool')) await authorized(client, () => client.callTool('test-tool', {}));
  return tools.map((tool) => tool.name);
}

/** Scenario-specific client options: the input handlers a scenario's server asks for. */
function optionsFor(scenario: string, url: string, self: () => MCPClient): MCPClientOptions {
  const base: MCPClientOptions = { url, clientInfo: { name: 'archon-mcp-client-conformance', version: '1.0.0' } };
  if (isAuthScenario(scenario)) return { ...base, ...authOptionsFor(scenario) };
  if (scenario === 'sep-2322-client-request-state') {
    let unrelatedCalled = false;
    const elicitation = async (): Promise<{ action: 'accept'; content: Record<string, boolean> }> => {
      // Between the rounds of test_mrtr_echo_state, a parallel call must carry none of its state.
      if (!unrelatedCalled) {
        unrelatedCalled = true;
        await self().callTool('test_mrtr_unrelated', {});
      }
      return { action: 'accept', content: { confirmed: true } };
    };
    return { ...base, handlers: { elicitation } };
  }
  if (scenario === 'sse-retry') {
    // The scenario's server answers the pending call on whichever GET stream reaches it first once the call is
    // pending. The notification stream opens concurrently with the first requests, so with it the verdict would be
    // a race between two streams: whether the answer lands on the notification stream (the client routes it to the
    // call, and never needs to resume) or on the resumption GET this scenario checks. Without it, only the
    // resumption GET remains: retry honoured, Last-Event-ID sent.
    return { ...base, listen: false };
  }
  if (scenario === 'elicitation-sep1034-client-defaults') {
    // Accept with nothing filled in: SEP-1034 has the client apply the requested schema's defaults.
    return { ...base, handlers: { elicitation: () => ({ action: 'accept', content: {} }) } };
  }
  return base;
}

async function main(): Promise<number> {
  const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
  const url = process.argv.at(-1);
  const run = isAuthScenario(scenario) ? runAuthScenario : SCENARIOS[scenario];
  if (run === undefined || url === undefined || !/^https?:\/\//.test(url)) {
    console.error(`usage: MCP_CONFORMANCE_SCENARIO=<${Object.keys(SCENARIOS).join('|')}> client-entry.ts URL`);
    return 2;
  }
  const client: MCPClient = new MCPClient(optionsFor(scenario, url, () => client));
  try {
    const result = await run(client);
    console.error(`[client-entry] ${scenario}: ok (era ${client.era ?? 'none'}) ${JSON.stringify(result ?? null).slice(0, 300)}`);
    return 0;
  } catch (error) {
    console.error(`[client-entry] ${scenario}: failed`, error);
    return 1;
  } finally {
    await client.close();
  }
}

process.exitCode = await main();
