/**
 * The client under test for the official conformance suite's client scenarios
 * (`conformance client --command "node --import tsx test/conformance/client-entry.ts" --scenario X`).
 *
 * The harness starts a mock server per scenario, appends its URL as the last argument and names the scenario
 * in MCP_CONFORMANCE_SCENARIO. What each scenario checks (read in @modelcontextprotocol/conformance 0.1.16):
 * - `initialize`: the initialize request carries protocolVersion 2025-06-18 or 2025-11-25 and clientInfo name
 *   and version. Connecting is enough.
 * - `tools_call`: the client calls `add_numbers` on a stateless server (a fresh transport per POST).
 * - `sse-retry`: `test_reconnection`'s POST stream sends a priming event (`id`, `retry: 500`) and closes after
 *   50 ms; the client must reconnect with GET + Last-Event-ID after 450-700 ms and take the result from there.
 * Exit code 0 means the client did its part; the harness judges the wire.
 */
import { MCPClient } from '../../src/index';

type ScenarioRun = (client: MCPClient) => Promise<unknown>;

const SCENARIOS: Readonly<Record<string, ScenarioRun>> = {
  initialize: (client) => client.connect(),
  tools_call: (client) => client.callTool('add_numbers', { a: 5, b: 3 }),
  'sse-retry': (client) => client.callTool('test_reconnection', {}),
};

async function main(): Promise<number> {
  const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
  const url = process.argv.at(-1);
  const run = SCENARIOS[scenario];
  if (run === undefined || url === undefined || !/^https?:\/\//.test(url)) {
    console.error(`usage: MCP_CONFORMANCE_SCENARIO=<${Object.keys(SCENARIOS).join('|')}> client-entry.ts URL`);
    return 2;
  }
  const client = new MCPClient({ url, clientInfo: { name: 'archon-mcp-client-conformance', version: '1.0.0' } });
  try {
    const result = await run(client);
    console.error(`[client-entry] ${scenario}: ok ${JSON.stringify(result ?? null).slice(0, 300)}`);
    return 0;
  } catch (error) {
    console.error(`[client-entry] ${scenario}: failed`, error);
    return 1;
  } finally {
    await client.close();
  }
}

process.exitCode = await main();
