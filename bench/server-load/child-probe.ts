/**
 * Preloaded into every server the server bench starts (`node --import <built child-probe.js> ...`), ours
 * and the SDK baseline alike, so both are measured the same way without touching their code: over the
 * IPC channel the parent opened it answers with this process's CPU time and memory (after a full GC when
 * asked; the child runs with `--expose-gc`), and writes heap snapshots. Without an IPC channel it does
 * nothing.
 */
import { writeHeapSnapshot } from 'node:v8';
import { isProbeRequest, type ProbeReply } from './probe-protocol';

if (process.send !== undefined) {
  process.on('message', (message: unknown) => {
    if (!isProbeRequest(message)) return;
    if (message.gc) {
      // Twice: the first pass runs finalizers that free more on the second.
      globalThis.gc?.();
      globalThis.gc?.();
    }
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    const reply: ProbeReply = {
      type: 'probe',
      id: message.id,
      cpuMicros: cpu.user + cpu.system,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      externalBytes: memory.external,
      heapSnapshot: message.heapSnapshotPath === undefined ? undefined : writeHeapSnapshot(message.heapSnapshotPath),
    };
    process.send?.(reply);
  });
  // The channel must not keep a server alive that was told to stop, nor outlive the bench.
  process.channel?.unref();
  process.on('disconnect', () => process.exit(0));
}
