/**
 * `npm run demo`: the whole story in one minute, told by the clients' own events and counters.
 *
 * 1. Starts the reference server on the embedded store `archon-mcp serve` uses (`file:`, in a temp dir). It
 *    serves both protocol eras on one endpoint.
 * 2. Connects two clients with `await using`: one with the default `era: 'auto'` (it lands on 2026-07-28, which
 *    has no protocol session) and one pinned to the 2025 era (a protocol session, kept in the store). Calls
 *    tools, draws a progress bar for `slow`.
 * 3. Restarts the server on the same port: the new process adopts the 2025 session from the store, so that client
 *    goes on with the same Mcp-Session-Id and no re-initialize.
 * 4. Makes the server expire the 2025 session: that client re-initializes once (the `recovered` event).
 * 5. Takes the server down for a second and a half with a call in flight on each client: they probe for it
 *    (reconnect probes, which do not use up `retry.retries`) and both calls complete when it is back.
 * 6. Prints what each client did to get there (`client.stats()`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ConnectionError, MCPClient, isMcpClientError } from '../src/index';
import { startReferenceServer, type ReferenceServer } from '../server/index';

const dataDir = mkdtempSync(join(tmpdir(), 'archon-demo-'));
const store = `file:${dataDir}` as const;
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const dim = (text: string): string => (process.stdout.isTTY ? `\x1b[2m${text}\x1b[0m` : text);

/**
 * A failed attempt that found nothing listening at a server the client reached before: a reconnect probe,
 * paid for by the `retry.maxElapsedMs` budget, not by `retry.retries` (README_MCP_CLIENT.md "Backoff").
 */
function isReconnectProbe(cause: unknown): boolean {
  return cause instanceof ConnectionError && !cause.requestSent && ['refused', 'unreachable', 'dns'].includes(cause.reason);
}

function progressBar(progress: number, total: number): string {
  const width = 24;
  const filled = Math.round((progress / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${progress}/${total}`;
}

/** Logs a client's events under its name and counts its probes and retries (reset them between acts). */
function narrate(name: string, client: MCPClient): { probes: number; retries: number } {
  const counts = { probes: 0, retries: 0 };
  client.on('state', ({ from, to }) => say(dim(`  ${name}  state    ${from} -> ${to}`)));
  client.on('retry', ({ method, attempt, delayMs, cause }) => {
    if (isReconnectProbe(cause)) {
      counts.probes += 1;
      // One line per outage is enough: the count comes at the end.
      if (counts.probes === 1) say(dim(`  ${name}  probe    ${method}: nothing listening; looking again every <= 250 ms`));
    } else {
      counts.retries += 1;
      const why = isMcpClientError(cause) ? cause.code : String(cause);
      say(dim(`  ${name}  retry    ${method} attempt ${attempt} failed (${why}); resending in ${Math.round(delayMs)} ms`));
    }
  });
  client.on('recovered', ({ mcpSessionId, durationMs }) =>
    say(dim(`  ${name}  recovered: re-initialized in ${durationMs} ms, Mcp-Session-Id ${mcpSessionId}`)),
  );
  client.on('session', ({ sessionId, previousSessionId }) =>
    say(dim(`  ${name}  session  app session id ${previousSessionId} -> ${sessionId}`)),
  );
  return counts;
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
    const modernCounts = narrate('auto  ', modern);
    const legacyCounts = narrate('legacy', legacy);

    const echo = await modern.callTool('echo', { text: 'hello from archon-mcp-client' });
    say(`echo            -> ${JSON.stringify(echo.structuredContent)}`);
    await legacy.callTool('echo', { text: 'hello from the 2025 era' });
    say(`era 'auto'      =  ${modern.era} ${modern.protocolVersion}: ${sessions(modern)}`);
    say(`era 'legacy'    =  ${legacy.era} ${legacy.protocolVersion}: ${sessions(legacy)}`);

    const found = await modern.callTool('find_projects', { query: 'auth', limit: 2 });
    say(`find_projects   -> ${JSON.stringify(found.structuredContent)}`);
    let progressEvents = 0;
    await modern.callTool(
      'slow',
      { steps: 8, intervalMs: 60 },
      {
        onProgress: ({ progress, total }) => {
          progressEvents += 1;
          if (process.stdout.isTTY) process.stdout.write(`\rslow            ${progressBar(progress, total ?? 8)}`);
        },
      },
    );
    if (process.stdout.isTTY) process.stdout.write('\n');
    say(`slow            -> ${progressEvents} progress notifications`);

    say('\n-- restarting the server on the same port (same store) --');
    const legacySession = legacy.mcpSessionId;
    const reinitsBefore = legacy.stats().reinitializations;
    await server.close();
    server = await startReferenceServer({ port, store });
    const afterRestart = await modern.callTool('counter', { key: 'demo' });
    say(`counter         -> ${JSON.stringify(afterRestart.structuredContent)} (no error seen by the caller)`);
    await legacy.callTool('counter', { key: 'demo' });
    say(`era 'auto'      =  app session ${modern.sessionId} (unchanged; no MCP session to recover)`);
    const adopted = legacy.mcpSessionId === legacySession && legacy.stats().reinitializations === reinitsBefore;
    say(
      adopted
        ? `era 'legacy'    =  the same MCP session, adopted by the restarted server from the store (no re-initialize; ` +
            `server.stats().sessionsRecovered = ${server.stats().sessionsRecovered})`
        : `era 'legacy'    =  ${sessions(legacy)}: the restarted server did not know the session; the client re-initialized`,
    );

    say('\n-- the server expires the 2025 session --');
    const appSessionBefore = legacy.sessionId;
    const reinitsBeforeExpiry = legacy.stats().reinitializations;
    await server.faults.expireSession(legacy.mcpSessionId);
    const afterExpiry = await legacy.callTool('echo', { text: 'after expiry' });
    const reinits = legacy.stats().reinitializations - reinitsBeforeExpiry;
    say(`echo            -> ${JSON.stringify(afterExpiry.structuredContent)} (no error seen by the caller; ${reinits} re-initialize)`);
    say(`era 'legacy'    =  new MCP session ${legacy.mcpSessionId}`);
    say(
      legacy.sessionId === appSessionBefore
        ? `                   app session ${legacy.sessionId} (unchanged)`
        : `                   app session ${legacy.sessionId}: the server retired the expired one and issued this (the \`session\` event)`,
    );

    say('\n-- server down for 1.5 s with a call in flight on each client --');
    Object.assign(modernCounts, { probes: 0, retries: 0 });
    Object.assign(legacyCounts, { probes: 0, retries: 0 });
    await server.close();
    const pending = [modern.callTool('find_projects', { query: 'mcp' }), legacy.callTool('find_projects', { query: 'mcp' })];
    await delay(1_500);
    server = await startReferenceServer({ port, store });
    const [duringOutage] = await Promise.all(pending);
    say(`find_projects   -> ${JSON.stringify(duringOutage?.structuredContent)} (both clients)`);
    const waited = ({ probes, retries }: { probes: number; retries: number }): string => `${probes} reconnect probes, ${retries} retries`;
    say(`                   waited out the outage: era 'auto' ${waited(modernCounts)}; era 'legacy' ${waited(legacyCounts)}`);
    say(dim('                   probes look for a restarting server every <= 250 ms (retry.reconnectDelayMs) until'));
    say(dim('                   retry.maxElapsedMs, and do not use up retry.retries (6)'));

    say(`\nera 'auto'   client.stats()  =  ${JSON.stringify(modern.stats())}`);
    say(`era 'legacy' client.stats()  =  ${JSON.stringify(legacy.stats())}`);
    say(dim('                   `retries` counts probes and retries alike; `reinitializations`: the forced expiry only'));
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${isMcpClientError(error) ? `${error.code}: ${error.message}` : String(error)}\n`);
  process.exitCode = 1;
});
