/**
 * The official SDK client doing what client-entry.ts does, for a baseline run of the same scenarios
 * (`scripts/conformance.sh --client-only --sdk-baseline`). If a scenario fails here too, the harness or the
 * scenario is at fault, not MCPClient.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

type ScenarioRun = (client: Client) => Promise<unknown>;

const SCENARIOS: Readonly<Record<string, ScenarioRun>> = {
  initialize: async () => undefined,
  tools_call: (client) => client.callTool({ name: 'add_numbers', arguments: { a: 5, b: 3 } }),
  'sse-retry': (client) => client.callTool({ name: 'test_reconnection', arguments: {} }),
};

async function main(): Promise<number> {
  const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
  const url = process.argv.at(-1);
  const run = SCENARIOS[scenario];
  if (run === undefined || url === undefined) {
    console.error(`usage: MCP_CONFORMANCE_SCENARIO=<${Object.keys(SCENARIOS).join('|')}> sdk-client-entry.ts URL`);
    return 2;
  }
  const client = new Client({ name: 'sdk-baseline-conformance', version: '1.0.0' });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    const result = await run(client);
    console.error(`[sdk-client-entry] ${scenario}: ok ${JSON.stringify(result ?? null).slice(0, 300)}`);
    return 0;
  } catch (error) {
    console.error(`[sdk-client-entry] ${scenario}: failed`, error);
    return 1;
  } finally {
    await client.close();
  }
}

process.exitCode = await main();
