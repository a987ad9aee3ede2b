/**
 * Our MCPClient, used as its README shows: `new MCPClient({ url })`, `callTool`, `close()`. `npm run bench`
 * passes `--archon-entry` = a tsup build of `src/index.ts`, which is what users run; without it the class comes
 * from `src/` through tsx, whose keep-names wrapper (`__name`) costs ~3 us/call and ~5 KB per idle client.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MCPClient as SourceMCPClient } from '../../src/index';
import type { BenchEra } from '../config';
import type { BenchSession, ClientMode } from './types';

type MCPClientClass = typeof SourceMCPClient;

async function loadClientClass(entry: string | undefined): Promise<MCPClientClass> {
  if (entry === undefined) return SourceMCPClient;
  // A built entry has the same public API; its types are the source's.
  const built = (await import(pathToFileURL(resolve(entry)).href)) as { MCPClient?: MCPClientClass };
  if (built.MCPClient === undefined) throw new Error(`${entry} exports no MCPClient`);
  return built.MCPClient;
}

/**
 * The MCPClient mode, from `src/` or from the built entry at `entry`. The modern section runs it on its default
 * (`era: 'auto'`, which negotiates 2026-07-28 with the v2 server); the legacy section pins `era: 'legacy'`, because
 * the reference server serves both eras on one endpoint and `'auto'` would rightly pick the modern one there.
 */
export async function createArchonMode(entry: string | undefined, era: BenchEra): Promise<ClientMode> {
  const MCPClient = await loadClientClass(entry);
  return {
    id: 'archon',
    label: 'MCPClient',
    async connect(url) {
      // The client sends an app-session id on every request by default; passing one keeps the three modes'
      // server work identical.
      const client = new MCPClient(era === 'legacy' ? { url, sessionId: randomUUID(), era: 'legacy' } : { url, sessionId: randomUUID() });
      // MCPClient connects lazily; connect() up front so the handshake is not timed as a call.
      await client.connect();
      if (client.era !== undefined && client.era !== era) {
        // Closed before failing the mode: a client left open would hold the shared pool for the sections after it.
        await client.close();
        throw new Error(`MCPClient negotiated the ${String(client.era)} era, the section is ${era}`);
      }
      const session: BenchSession = {
        call: (text) => client.callTool('echo', { text }),
        close: () => client.close(),
      };
      return session;
    },
  };
}
