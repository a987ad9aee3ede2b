/**
 * A stand-in MCP server built only from the official SDK (`McpServer` + `StreamableHTTPServerTransport`,
 * stateful sessions, no event store) with an `echo` tool. It let the harness be built before the reference
 * server existed, and stays selectable (`--server=sdk`) to tell client cost from reference-server cost.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

/** A running stand-in server. */
export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

function createEchoServer(): McpServer {
  const server = new McpServer({ name: 'bench-sdk-echo', version: '0.0.0' });
  server.registerTool('echo', { description: 'Echoes text', inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  return server;
}

/** Starts the stand-in on 127.0.0.1 and an ephemeral port. */
export async function startSdkEchoServer(): Promise<RunningServer> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const http = createServer((req, res) => {
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const transport = transports.get(sessionId);
      if (transport === undefined) {
        res.writeHead(404).end();
        return;
      }
      void transport.handleRequest(req, res);
      return;
    }
    // No session header: only an initialize may come; the transport rejects anything else itself.
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        transports.set(id, transport);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) transports.delete(transport.sessionId);
    };
    void createEchoServer()
      .connect(transport)
      .then(() => transport.handleRequest(req, res));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    async close() {
      await Promise.allSettled([...transports.values()].map((t) => t.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
