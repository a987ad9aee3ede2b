/**
 * `npm run demo`: the whole story in one minute.
 *
 * 1. Starts the reference server on its embedded store (PGlite in a temp dir).
 * 2. Connects with `await using`, calls tools, draws a progress bar for `slow`.
 * 3. Restarts the server on the same port, and takes it down for a second and a half, while the
 *    client keeps calling: no call fails, the application session id never changes.
 * 4. Prints what the client did to get there (`client.stats()`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { MCPClient, isMcpClientError } from '../src/index';
import { startReferenceServer, type ReferenceServer } from '../server/index';

const dataDir = mkdtempSync(join(tmpdir(), 'archon-demo-'));
const store = `pglite:${dataDir}` as const;
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const dim = (text: string): string => (process.stdout.isTTY ? `\x1b[2m${text}\x1b[0m` : text);

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
    client.on('state', ({ from, to }) => say(dim(`  state   ${from} -> ${to}`)));
    client.on('retry', ({ method, attempt, delayMs, cause }) =>
      say(dim(`  retry   ${method} #${attempt} in ${Math.round(delayMs)} ms (${isMcpClientError(cause) ? cause.code : String(cause)})`)),
    );
    client.on('recovered', ({ mcpSessionId, durationMs }) =>
      say(dim(`  recovered: new MCP session ${mcpSessionId} in ${durationMs} ms`)),
    );

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

    say('\n-- restarting the server on the same port --');
    await server.close();
    server = await startReferenceServer({ port, store });
    const afterRestart = await client.callTool('counter', { key: 'demo' });
    say(`counter         -> ${JSON.stringify(afterRestart.structuredContent)} (no error seen by the caller)`);
    say(`app session     =  ${client.sessionId} (unchanged)`);
    say(`MCP session     =  ${client.mcpSessionId}`);

    say('\n-- server down for 1.5 s while a call is in flight --');
    await server.close();
    const pending = client.callTool('find_projects', { query: 'mcp' });
    await delay(1_500);
    server = await startReferenceServer({ port, store });
    const duringOutage = await pending;
    say(`find_projects   -> ${JSON.stringify(duringOutage.structuredContent)} (waited out the outage)`);

    say(`\nclient.stats()  =  ${JSON.stringify(client.stats())}`);
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${isMcpClientError(error) ? `${error.code}: ${error.message}` : String(error)}\n`);
  process.exitCode = 1;
});
