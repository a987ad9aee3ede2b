/**
 * One call, no client to manage: `callMcpTool` connects, calls, and closes (DELETE of the session included),
 * with the same retry and recovery as a long-lived MCPClient. For scripts, cron jobs and CI steps.
 *
 *   npx tsx examples/one-off-call.ts
 */
import { callMcpTool } from '../src/index'; // in your project: from 'archon-mcp-client'

const url = process.env.ARCHON_MCP_URL ?? 'http://localhost:8051/mcp';

const result = await callMcpTool('find_projects', { query: 'auth' }, { url, timeoutMs: 10_000 });

// `structuredContent` is what the tool declared in its outputSchema (validated by the client);
// `content` is the text form every MCP tool returns.
console.log(JSON.stringify(result.structuredContent, null, 2));
const [first] = result.content;
if (first?.type === 'text') console.log(`text content: ${first.text.slice(0, 80)}`);
