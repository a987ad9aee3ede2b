/**
 * Logging: the client is silent unless given a `logger`. Anything with console/pino-style methods
 * (`warn(fields, message)`) works; header values that carry credentials are never logged.
 *
 *   npx tsx examples/custom-logger.ts
 */
import { pino } from 'pino';
import { MCPClient, type McpClientLogger } from '../src/index'; // in your project: from 'archon-mcp-client'

const url = process.env.ARCHON_MCP_URL ?? 'http://localhost:8051/mcp';

// pino: structured JSON lines; a child logger tags every line with the component.
const logger = pino({ level: 'debug' }).child({ component: 'mcp-client' });

{
  await using client = new MCPClient({ url, logger, headers: { authorization: 'Bearer not-a-real-token' } });
  await client.callTool('echo', { text: 'logged with pino' });
}

// Your own adapter, e.g. to forward only warnings and errors to an existing logging facade.
const lines: string[] = [];
const forwardWarnings: McpClientLogger = {
  warn: (fields, message) => lines.push(`WARN ${message} ${JSON.stringify(fields)}`),
  error: (fields, message) => lines.push(`ERROR ${message} ${JSON.stringify(fields)}`),
};
{
  await using client = new MCPClient({ url, logger: forwardWarnings });
  await client.callTool('echo', { text: 'quiet unless something goes wrong' });
}
console.log(`the warn/error adapter received ${lines.length} lines`);
