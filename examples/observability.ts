/**
 * Observability: typed events for every state change, retry, recovery and server notification, and
 * `client.stats()` counters that never reset (diff two snapshots for a dashboard). Here the retry counter
 * is also fed to an OpenTelemetry meter (a no-op until your app registers an OTel SDK).
 *
 *   npx tsx examples/observability.ts
 */
import { metrics } from '@opentelemetry/api';
import { MCPClient } from '../src/index'; // in your project: from 'archon-mcp-client'

const url = process.env.ARCHON_MCP_URL ?? 'http://localhost:8051/mcp';

const retries = metrics.getMeter('archon-mcp-client-example').createCounter('mcp.client.retries');

await using client = new MCPClient({ url });

// `on` returns its own unsubscribe function.
const unsubscribe = [
  client.on('state', ({ from, to }) => console.log(`state: ${from} -> ${to}`)),
  client.on('session', ({ previousSessionId, sessionId }) => console.log(`app session ${previousSessionId} -> ${sessionId}`)),
  client.on('retry', ({ method, attempt, delayMs }) => {
    retries.add(1, { method });
    console.log(`retry #${attempt} of ${method} in ${delayMs} ms`);
  }),
  client.on('recovered', ({ reason, durationMs }) => console.log(`recovered from ${reason} in ${durationMs} ms`)),
  client.on('stream', (event) => console.log(`notification stream: ${event.type}`)),
];

// Server notifications (logging messages, list changes, resource updates) arrive as `notification` events,
// whatever carried them: the GET stream (2025 era), the `subscriptions/listen` stream or the call's own
// stream (2026-07-28, where log lines ride the request that caused them).
const logged = new Promise<string>((resolve) => {
  unsubscribe.push(
    client.on('notification', ({ method, params }) => {
      console.log(`notification: ${method}`);
      if (method === 'notifications/message') resolve(String(params?.data));
    }),
  );
});

await client.setLoggingLevel('info');
await client.callTool('echo', { text: 'counted' });
await client.callTool('notify', { text: 'hello from the server' });
console.log(`server log message: ${await withTimeout(logged, 5_000)}`);

// In the 2025 era this tool closes its response stream mid-call (SEP-1699); the client resumes it with GET +
// Last-Event-ID, which shows up as `resumes: 1` below. 2026-07-28 has no resumption, so the reference server
// answers it without closing anything (`resumes: 0`). Nothing to do in your code either way: the call returns.
await client.callTool('test_reconnection', { delayMs: 100 });

console.log('stats:', client.stats());
for (const stop of unsubscribe) stop();

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`nothing after ${ms} ms`)), ms).unref()),
  ]);
}
