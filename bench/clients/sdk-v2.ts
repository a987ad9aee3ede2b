/**
 * The official v2 SDK client (`@modelcontextprotocol/client` 2.4.0: `Client` + `StreamableHTTPClientTransport`)
 * with `versionNegotiation: { mode: 'auto' }`, the way its docs show for a 2026-07-28 server (the default mode
 * would speak only the 2025 handshake, which the modern-only bench server refuses).
 */
import { randomUUID } from 'node:crypto';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { APP_SESSION_HEADER, type BenchSession, type ClientMode } from './types';

export const sdkV2Mode: ClientMode = {
  id: 'sdk',
  label: 'SDK v2 Client',
  async connect(url) {
    const transport = new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { [APP_SESSION_HEADER]: randomUUID() } },
    });
    const client = new Client({ name: 'archon-bench', version: '0.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(transport);
    if (client.getProtocolEra() !== 'modern') throw new Error(`SDK v2 Client connected in the ${String(client.getProtocolEra())} era`);
    const session: BenchSession = {
      call: (text) => client.callTool({ name: 'echo', arguments: { text } }),
      close: () => client.close(),
    };
    return session;
  },
};
