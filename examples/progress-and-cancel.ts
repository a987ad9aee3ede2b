/**
 * Progress and cancellation: `onProgress` receives the tool's `notifications/progress`; aborting the
 * `signal` rejects the call with AbortError at once and tells the server (`notifications/cancelled`).
 *
 *   npx tsx examples/progress-and-cancel.ts
 */
import { AbortError, MCPClient } from '../src/index'; // in your project: from 'archon-mcp-client'

const url = process.env.ARCHON_MCP_URL ?? 'http://localhost:8051/mcp';

await using client = new MCPClient({ url });

// 1. A slow tool, run to the end: 5 steps of 50 ms, one progress notification per step.
const result = await client.callTool(
  'slow',
  { steps: 5, intervalMs: 50 },
  { onProgress: ({ progress, total }) => console.log(`progress ${progress}/${total ?? '?'}`) },
);
console.log('slow ->', result.structuredContent);

// 2. The same tool, cancelled by the caller after the second progress step.
const controller = new AbortController();
const startedAt = performance.now();
try {
  await client.callTool(
    'slow',
    { steps: 100, intervalMs: 50 },
    {
      signal: controller.signal,
      onProgress: ({ progress }) => {
        if (progress >= 2) controller.abort(new Error('user pressed cancel'));
      },
    },
  );
  throw new Error('expected the cancelled call to reject');
} catch (error) {
  if (!(error instanceof AbortError)) throw error;
  const cause = error.cause instanceof Error ? error.cause.message : String(error.cause);
  console.log(`cancelled after ${Math.round(performance.now() - startedAt)} ms: ${error.code} (${cause})`);
}

// 3. A time limit is just another signal; the client stays usable after a cancelled call.
await client.callTool('slow', { steps: 2, intervalMs: 10 }, { signal: AbortSignal.timeout(5_000) });
console.log(`client state after cancelling: ${client.state}`);
