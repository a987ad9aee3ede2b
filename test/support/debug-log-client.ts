/**
 * Child-process entry for the debug-switch test: `node --import tsx test/support/debug-log-client.ts URL`.
 * A client without a `logger` lists tools once (the parent makes the server answer 503 first, so one retry
 * is logged) and closes. Whatever the environment switch writes goes to stderr.
 */
import { MCPClient } from '../../src/index';

const [url] = process.argv.slice(2);
const client = new MCPClient({ url, listen: false, retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2 } });
try {
  await client.listTools();
  process.stdout.write('ok\n');
} finally {
  await client.close();
}
