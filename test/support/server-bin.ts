/**
 * Child-process entry of the reference server for tests: `node --import tsx test/support/server-bin.ts`.
 * Options come as JSON in the `ARCHON_SERVER_OPTIONS` environment variable (a JSON subset of
 * `ReferenceServerOptions`). When listening it prints ONE JSON line on stdout:
 * `{"url":"http://127.0.0.1:PORT/mcp","port":PORT,"pid":PID,"instanceId":"..."}`.
 * SIGTERM/SIGINT close gracefully (exit 0); SIGKILL is the crash the chaos tests want.
 */
import { startReferenceServer, type ReferenceServerOptions } from '../../server/index';

const raw = process.env['ARCHON_SERVER_OPTIONS'] ?? '{}';
const options = JSON.parse(raw) as ReferenceServerOptions;
const server = await startReferenceServer(options);
process.stdout.write(
  `${JSON.stringify({ url: server.url, port: server.port, pid: process.pid, instanceId: server.instanceId })}\n`,
);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  server.close().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`close failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
