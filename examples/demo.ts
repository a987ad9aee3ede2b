/**
 * `npm run demo`: the whole story in one minute.
 *
 * 1. Starts the reference server on the embedded store `archon-mcp serve` uses (`file:`, in a temp dir). It
 *    serves both protocol eras on one endpoint.
 * 2. Connects two clients with `await using`: one with the default `era: 'auto'` (it lands on 2026-07-28, which
 *    has no protocol session) and one pinned to the 2025 era (a protocol session kept in the store). Calls
 *    tools, draws a progress bar for `slow`.
 * 3. Restarts the server on the same port, and takes it down for a second and a half, while the clients keep
 *    calling: no call fails, the application session ids never change, and the 2025 session is adopted from the
 *    store instead of being re-initialized.
 * 4. Prints what each client did to get there (`client.stats()`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { MCPClient, isMcpClientError } from '../src/index';
import { startReferenceServer, type ReferenceServer } from '../server/index';

const dataDir = mkdtempSync(join(tmpdir(), 'archon-demo-'));
const store = `file:${dataDir}` as const;
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const dim = (text: string): string => (process.stdout.isTTY ? `\x1b[2m${text}\x1b[0m` : text);

function progressBar(progress: number, total: number): string {
  const width = 24;
  const filled = Math.round((progress / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${progress}/${total}`;
}

/** Logs a client's state changes, retries and recoveries under its name. */
function narrate(name: string, client: MCPClient): void {
  client.on('state', ({ from, to }) => say(dim(`  ${name}  state   ${from} -> ${to}`)));
  client.on('retry', ({ method, attempt, delayMs, cause }) =>
    say(dim(`  ${name}  retry   ${method} #${attempt} in ${Math.round(delayMs)} ms (${isMcpClientError(cause) ? cause.code : String(cause)})`)),
  );
  client.on('recovered', ({ mcpSessionId, durationMs }) => say(dim(`  ${name}  recovered: new MCP session ${mcpSessionId} in ${durationMs} ms`)));
}

/** What a client's sessions are: the 2026-07-28 era has only the application session. */
function sessions(client: MCPClient): string {
  const protocol = client.mcpSessionId === undefined ? 'no MCP session (this era has none)' : `MCP session ${client.mcpSessionId}`;
  return `app session ${client.sessionId}, ${protocol}`;
}

async function main(): Promise<void> {
  let server: ReferenceServer = await startReferenceServer({ port: 0, store });
  const { port } = server;
  say(`reference server on ${server.url} (store ${store}, eras ${server.handler.eras.join(' + ')})`);

  try {
    await using modern = new MCPClient({ url: server.url, retry: { maxElapsedMs: 15_000 } });
    await using legacy = new MCPClient({ url: server.url, era: 'legacy', retry: { maxElapsedMs: 15_000 } });
    narrate('auto  ', modern);
    narrate('legacy', legacy);

    const echo = await modern.callTool('echo', { text: 'hello from archon-mcp-client' });
    say(`echo            -> ${JSON.stringify(echo.structuredContent)}`);
    await legacy.callTool('echo', { text: 'hello from the 2025 era' });
    say(`era 'auto'      =  ${modern.era} ${modern.protocolVersion}: ${sessions(modern)}`);
    say(`era 'legacy'    =  ${legacy.era} ${legacy.protocolVersion}: ${sessions(legacy)}`);

    const found = await modern.callTool('find_projects', { query: 'auth', limit: 2 });
    say(`find_projects   -> ${JSON.stringify(found.structuredContent)}`);

    const bar = (text: string): void => {
      if (process.stdout.isTTY) process.stdout.write(`\r${text}`);
    };
    let progressEvents = 0;
    await modern.callTool(
      'slow',
      { steps: 8, intervalMs: 60 },
      {
        onProgress: ({ progress, total }) => {
          progressEvents += 1;
          bar(`slow            ${progressBar(progress, total ?? 8)}`);
        },
      },
    );
    if (process.stdout.isTTY) process.stdout.write('\n');
    say(`slow            -> ${progressEvents} progress notifications`);

    say('\n-- restarting the server on the same port --');
    const legacySession = legacy.mcpSessionId;
    await server.close();
    server = await startReferenceServer({ port, store });
    const afterRestart = await modern.callTool('counter', { key: 'demo' });
    say(`counter         -> ${JSON.stringify(afterRestart.structuredContent)} (no error seen by the caller)`);
    await legacy.callTool('counter', { key: 'demo' });
    say(`era 'auto'      =  ${sessions(modern)} (unchanged)`);
    say(
      `era 'legacy'    =  ${sessions(legacy)} (${legacy.mcpSessionId === legacySession ? 'the same session, adopted from the store' : 're-initialized'})`,
    );

    say('\n-- server down for 1.5 s while a call is in flight --');
    await server.close();
    const pending = modern.callTool('find_projects', { query: 'mcp' });
    await delay(1_500);
    server = await startReferenceServer({ port, store });
    const duringOutage = await pending;
    say(`find_projects   -> ${JSON.stringify(duringOutage.structuredContent)} (waited out the outage)`);

    say(`\nera 'auto'   client.stats()  =  ${JSON.stringify(modern.stats())}`);
    say(`era 'legacy' client.stats()  =  ${JSON.stringify(legacy.stats())}`);
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${isMcpClientError(error) ? `${error.code}: ${error.message}` : String(error)}\n`);
  process.exitCode = 1;
});
