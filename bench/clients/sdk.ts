/** The official SDK client (`Client` + `StreamableHTTPClientTransport`), used the way its README shows. */
import { randomUUID } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { APP_SESSION_HEADER, type BenchSession, type ClientMode } from './types';

export const sdkMode: ClientMode = {
  id: 'sdk',
  label: 'SDK Client',
  async connect(url) {
    const transport = new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { [APP_SESSION_HEADER]: randomUUID() } },
    });
    const client = new Client({ name: 'archon-bench', version: '0.0.0' });
    await client.connect(transport);
    const session: BenchSession = {
      call: (text) => client.callTool({ name: 'echo', arguments: { text } }),
      close: () => client.close(),
    };
    return session;
  },
};
