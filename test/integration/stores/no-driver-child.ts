/**
 * Child of the no-driver test: `node --import tsx no-driver-child.ts <dir>`. Registers a hook that hides
 * pg, redis and pglite, then serves one `initialize` on the default embedded store through the reference
 * server, and prints a JSON report on stdout.
 */
import { register } from 'node:module';

register('./block-drivers-hook.mjs', import.meta.url);
const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: no-driver-child.ts <dir>');

// Imported after the hook: nothing of the server may have pulled a driver in before.
const { createStores } = await import('../../../server/stores/index');
const { startReferenceServer } = await import('../../../server/reference-server');
const { SERVE_DEFAULTS } = await import('../../../server/serve');

const redisError = await createStores('redis://127.0.0.1:1').then(
  () => 'opened',
  (error: unknown) => (error instanceof Error ? error.message : String(error)),
);
// The kind `serve` defaults to, in a directory of the test's own.
const store = `file:${dir}` as const;
const server = await startReferenceServer({ port: 0, store });
const response = await fetch(server.url, {
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
  body: JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'no-driver', version: '1' } },
  }),
});
await response.text();
await server.close();
process.stdout.write(
  `${JSON.stringify({ defaultStore: SERVE_DEFAULTS.store, store, status: response.status, sessionId: response.headers.get('mcp-session-id'), redisError })}\n`,
);
