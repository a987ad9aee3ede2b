import { McpServer } from '@modelcontextprotocol/server';
import { registerResourcesAndPrompts } from './resources-and-prompts';
import type { ToolContext } from './tool-context';
import { registerBasicTools } from './tools/basic-tools';
import { registerStatefulTools } from './tools/stateful-tools';

/** Name and version the reference server announces in `initialize`. */
export const SERVER_INFO = { name: 'archon-reference-server', version: '0.1.0' } as const;

/**
 * Builds the McpServer for ONE session (the SDK's stateful mode pairs one McpServer with one
 * transport). Everything the client can call is registered here.
 *
 * @example
 * ```ts
 * const server = createMcpServer(context);
 * await server.connect(transport);
 * ```
 */
export function createMcpServer(context: ToolContext): McpServer {
  const server = new McpServer(SERVER_INFO, {
    capabilities: { logging: {}, resources: { subscribe: true, listChanged: true }, completions: {} },
  });
  registerBasicTools(server, context);
  registerStatefulTools(server, context);
  registerResourcesAndPrompts(server, context);
  return server;
}
