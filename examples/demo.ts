/**
 * `npm run demo`: the whole story in one minute, told by the client's own events and counters.
 *
 * 1. Starts the reference server on its embedded store (the file store, in a temp dir).
 * 2. Connects with `await using`, calls tools, draws a progress bar for `slow`.
 * 3. Restarts the server on the same port: the persistent store lets the new process adopt the session,
 *    so the client goes on with the same Mcp-Session-Id and no re-initialize.
 * 4. Makes the server expire the session: the client re-initializes once (the `recovered` event), with the
 *    same application session id.
 * 5. Takes the server down for a second and a half while a call is in flight: the client probes for it
 *    (reconnect probes, which do not use up `retry.retries`) and the call completes when it is back.
 * 6. Prints what the client did to get there (`client.stats()`).
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

async function main(): Promise<void> {
  let server: ReferenceServer = await startReferenceServer({ port: 0, store });
  const { port } = server;
  say(`reference server on ${server.url} (store ${store})`);

  try {
    await using client = new MCPClient({ url: server.url, retry: { maxElapsedMs: 15_000 } });
    let probes = 0;
    let retries = 0;
    client.on('state', ({ from, to }) => say(dim(`  state    ${from} -> ${to}`)));
    client.on('retry', ({ method, attempt, delayMs, cause }) => {
      if (isReconnectProbe(cause)) {
        probes += 1;
        say(dim(`  probe    ${method}: nothing listening (${(cause as ConnectionError).errorCode ?? 'refused'}); looking again in ${Math.round(delayMs)} ms`));
      } else {
        retries += 1;
        say(dim(`  retry    ${method} attempt ${attempt} failed (${isMcpClientError(cause) ? cause.code : String(cause)}); resending in ${Math.round(delayMs)} ms`));
      }
    });
    client.on('recovered', ({ mcpSessionId, durationMs }) =>
      say(dim(`  recovered: re-initialized in ${durationMs} ms; new Mcp-Session-Id ${mcpSessionId}`)),
    );
    client.on('session', ({ sessionId, previousSessionId }) => say(dim(`  session  app session id ${previousSessionId} -> ${sessionId}`)));

    const echo = await client.callTool('echo', { text: 'hello from archon-mcp-client' });
    say(`echo            -> ${JSON.stringify(echo.structuredContent)}`);
    say(`app session     =  ${client.sessionId}`);
    say(`MCP session     =  ${client.mcpSessionId}`);

    const found = await client.callTool('find_projects', { query: 'auth', limit: 2 });
    say(`find_projects   -> ${JSON.stringify(found.structuredContent)}`);

    const bar = (text: string): void => {
      if (process.stdout.isTTY) process.stdout.write(`\r${text}`);
    };
    let progressEvents = 0;
    await client.callTool('slow', { steps: 8, intervalMs: 60 }, {
      onProgress: ({ progress, total }) => {
        progressEvents += 1;
        bar(`slow            ${progressBar(progress, total ?? 8)}`);
      },
    });
    if (process.stdout.isTTY) process.stdout.write('\n');
    say(`slow            -> ${progressEvents} progress notifications`);

    say('\n-- restarting the server on the same port (same store) --');
    const sessionBefore = client.mcpSessionId;
    const reinitsBefore = client.stats().reinitializations;
    await server.close();
    server = await startReferenceServer({ port, store });
    const afterRestart = await client.callTool('counter', { key: 'demo' });
    say(`counter         -> ${JSON.stringify(afterRestart.structuredContent)} (no error seen by the caller)`);
    const adopted = client.mcpSessionId === sessionBefore && client.stats().reinitializations === reinitsBefore;
    say(
      adopted
        ? `MCP session     =  ${client.mcpSessionId}: session adopted by the restarted server (no re-initialize needed; ` +
            `server.stats().sessionsRecovered = ${server.stats().sessionsRecovered})`
        : `MCP session     =  ${client.mcpSessionId}: the restarted server did not know it; the client re-initialized`,
    );
    say(`app session     =  ${client.sessionId} (unchanged)`);

    say('\n-- the server expires the session --');
    const appSessionBefore = client.sessionId;
    const reinitsBeforeExpiry = client.stats().reinitializations;
    await server.faults.expireSession(client.mcpSessionId);
    const afterExpiry = await client.callTool('echo', { text: 'after expiry' });
    const reinits = client.stats().reinitializations - reinitsBeforeExpiry;
    say(`echo            -> ${JSON.stringify(afterExpiry.structuredContent)} (no error seen by the caller; ${reinits} re-initialize)`);
    say(`MCP session     =  ${client.mcpSessionId} (new)`);
    say(
      client.sessionId === appSessionBefore
        ? `app session     =  ${client.sessionId} (unchanged)`
        : `app session     =  ${client.sessionId}: the server retired the expired one and issued this (the \`session\` event)`,
    );

    say('\n-- server down for 1.5 s while a call is in flight --');
    probes = 0;
    retries = 0;
    await server.close();
    const pending = client.callTool('find_projects', { query: 'mcp' });
    await delay(1_500);
    server = await startReferenceServer({ port, store });
    const duringOutage = await pending;
    say(`find_projects   -> ${JSON.stringify(duringOutage.structuredContent)}`);
    say(
      `                   waited out the outage: ${probes} reconnect probes and ${retries} retries. Probes look for a ` +
        'restarting server every <= 250 ms (retry.reconnectDelayMs) until retry.maxElapsedMs, and do not use up retry.retries (6)',
    );

    say(`\nclient.stats()  =  ${JSON.stringify(client.stats())}`);
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
