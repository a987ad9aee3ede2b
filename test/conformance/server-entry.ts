/**
 * Starts the reference server for the conformance suite's server scenarios and prints its URL.
 *
 *   node --import tsx test/conformance/server-entry.ts [PORT]     # PORT defaults to 0 (a free port)
 *
 * Prints exactly one line `listening <url>` on stdout once the server accepts requests, then runs until
 * SIGTERM/SIGINT, when it closes the server gracefully and exits 0. Memory store: every run starts clean.
 */
import { startReferenceServer } from '../../server/index';

const port = Number(process.argv[2] ?? '0');
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`usage: server-entry.ts [PORT]   (an integer from 0 to 65535, got ${process.argv[2]})`);
  process.exit(2);
}

const server = await startReferenceServer({ port, host: '127.0.0.1', store: 'memory' });
process.stdout.write(`listening ${server.url}\n`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.error(`[server-entry] ${signal}: closing`);
  await server.close();
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
