/**
 * Typed tools: `archon-mcp types URL -o file.d.ts` turns the server's inputSchema/outputSchema into a tool
 * map; `new MCPClient<Map>()` then checks tool names and arguments and types `structuredContent`.
 * This repository's map is `examples/generated/reference-tools.d.ts` (`npm run types:reference`).
 *
 *   npx archon-mcp types http://localhost:8051/mcp -o mcp-tools.d.ts   # in your project
 *   npx tsx examples/typed-tools.ts
 */
import { MCPClient, callMcpTool } from '../src/index'; // in your project: from 'archon-mcp-client'
import type { ReferenceTools } from './generated/reference-tools';

const url = process.env.ARCHON_MCP_URL ?? 'http://localhost:8051/mcp';

await using client = new MCPClient<ReferenceTools>({ url });

// `query` is required and `limit` must be a number: a typo here is a compile error, not a runtime 400.
const found = await client.callTool('find_projects', { query: 'auth', limit: 2 });
// The tool has an outputSchema, so `structuredContent` is always there (validated), typed, without `?.`.
for (const project of found.structuredContent.projects) {
  console.log(`${project.id}: ${project.name}`); // id and name are `string`, no casts
}
console.log(`total matches: ${found.structuredContent.total}`);

const health = await client.callTool('health_check', {});
const status: 'ok' = health.structuredContent.status; // the literal type from outputSchema
console.log(`server status: ${status}, uptime ${health.structuredContent.uptimeMs} ms`);

// One-off calls: name the tool as the second type argument to get the same typing.
const echoed = await callMcpTool<ReferenceTools, 'echo'>('echo', { text: 'hi' }, { url });
console.log(`echo: ${echoed.structuredContent.text}`);

// These do not compile (see test/types/reference-tools.test-d.ts):
//   client.callTool('find_project', { query: 'auth' });   unknown tool
//   client.callTool('echo', { txt: 'hi' });                misspelt argument: "Did you mean to write 'text'?"
