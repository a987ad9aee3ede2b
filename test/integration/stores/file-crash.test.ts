import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileStores } from '../../../server/stores/file-store';
import { notification, replaySink } from './fixtures';

const WRITER = fileURLToPath(new URL('./file-crash-writer.ts', import.meta.url));
/** Acknowledged events to wait for before the kill; the writer keeps 16 more in flight. */
const ACKED_EVENTS_BEFORE_KILL = 300;

const dir = mkdtempSync(path.join(tmpdir(), 'mcp-file-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Acknowledged {
  sessions: Set<string>;
  /** Per session: its priming event id and the acknowledged events, by n. */
  events: Map<string, { primingId: string; byN: Map<number, string> }>;
}

/** Runs the writer on `dir` until it acknowledged enough events, then SIGKILLs it mid-write. */
async function writeAndKill(acked: Acknowledged): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  let carry = '';
  let eventsThisRun = 0;
  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`writer acknowledged ${eventsThisRun} events in 60 s; stderr: ${stderr}`)), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (carry + chunk.toString()).split('\n');
      // The last piece may be half a line: the kill can cut it.
      carry = lines.pop() ?? '';
      for (const line of lines) {
        const [kind, sessionId = '', primingId = '', eventId = '', n = ''] = line.split(' ');
        if (kind === 'session') acked.sessions.add(sessionId);
        if (kind !== 'event') continue;
        const entry = acked.events.get(sessionId) ?? { primingId, byN: new Map<number, string>() };
        entry.byN.set(Number(n), eventId);
        acked.events.set(sessionId, entry);
        eventsThisRun += 1;
      }
      if (eventsThisRun >= ACKED_EVENTS_BEFORE_KILL && child.exitCode === null) {
        clearTimeout(deadline);
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.once('exit', () => {
      clearTimeout(deadline);
      reject(new Error(`writer exited on its own; stderr: ${stderr}`));
    });
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  expect(await exited).toBe('SIGKILL');
}

describe('file store after SIGKILL', () => {
  it('keeps every session and event it acknowledged, across two kills, and takes over the dead writer’s lock', async () => {
    const acked: Acknowledged = { sessions: new Set(), events: new Map() };
    for (let round = 1; round <= 2; round += 1) {
      await writeAndKill(acked);
      const { sessions, events } = await createFileStores(dir);
      try {
        const missing: string[] = [];
        for (const sessionId of acked.sessions) if ((await sessions.get(sessionId)) === undefined) missing.push(sessionId);
        expect(missing).toEqual([]);
        for (const [sessionId, { primingId, byN }] of acked.events) {
          const sink = replaySink();
          await events.forSession(sessionId).replayEventsAfter(primingId, sink);
          const replayed = new Map(sink.sent.map((event) => [event.eventId, event.message]));
          for (const [n, eventId] of byN) {
            expect(replayed.get(eventId)).toEqual(notification(sessionId, n, 'p'.repeat(n * 100)));
          }
        }
      } finally {
        await events.close();
        await sessions.close();
      }
    }
    expect(acked.sessions.size).toBeGreaterThan(16);
  }, 180_000);
});
