/**
 * The basics: one client, connected lazily on the first call, closed by `await using` when the scope ends
 * (TypeScript 5.2+; plain JavaScript on Node 20 cannot parse it: use try/finally + `await client.close()`).
 *
 *   npx archon-mcp serve &             # or point ARCHON_MCP_URL at your server
 *   npx tsx examples/basics.ts
 */
import { MCPClient, ToolCallError } from '../src/index'; // in your project: from 'archon-mcp-client'

const url = process.env.ARCHON_MCP_URL ?? 'http://localhost:8051/mcp';

await using client = new MCPClient({ url });

// The first request connects: initialize, then the session ids travel on every request.
const { tools } = await client.listTools();
console.log(`${client.serverInfo?.name ?? 'server'} offers ${tools.length} tools: ${tools.map((tool) => tool.name).join(', ')}`);
console.log(`app session ${client.sessionId}, MCP session ${client.mcpSessionId ?? '(none)'}`);

const echoed = await client.callTool('echo', { text: 'hello' });
console.log('echo ->', echoed.structuredContent);

const found = await client.callTool('find_projects', { query: 'auth', limit: 3 });
console.log('find_projects ->', JSON.stringify(found.structuredContent));

console.log(`ping: ${await client.ping()} ms`);

// A tool that reports failure (isError: true) rejects with ToolCallError, which carries the result.
// Pass { throwOnError: false } (or the client option throwOnToolError: false) to get the result instead.
try {
  await client.callTool('fail', {});
  throw new Error('expected the fail tool to reject');
} catch (error) {
  if (!(error instanceof ToolCallError)) throw error;
  console.log(`fail -> ${error.code}: ${error.message}`);
}
