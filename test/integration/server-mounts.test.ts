/**
 * Issue 12: "A test mounts the library in node:http, Express and Hono. A user tool there survives SIGKILL +
 * restart on pglite: the session is adopted, the subscription is restored, and the next update arrives."
 * The user server is the notes app (test/support/server-notes-app.ts), in a child process per host.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { startServerProcess } from '../support/server-process';
import { postModern, resultOf } from '../support/server-modern-client';
import { NOTES_URI } from '../support/server-notes-app';
import { RawMcpSession, readEvents } from '../support/server-raw-client';

const MOUNT_BIN = fileURLToPath(new URL('../support/server-mount-bin.ts', import.meta.url));
/** Two pglite starts (a fresh directory takes 5-20 s on a loaded 2-core box) and a kill. */
const MOUNT_TIMEOUT_MS = 150_000;

function updatesOf(events: { data: string }[]): string[] {
  return events.flatMap((event) => {
    if (event.data.trim() === '') return [];
    const message = JSON.parse(event.data) as { method?: string; params?: { uri?: string } };
    return message.method === 'notifications/resources/updated' ? [String(message.params?.uri)] : [];
  });
}

describe.each(['node', 'express', 'hono'] as const)('the session layer mounted on %s', (mount) => {
  test(
    'a user tool survives SIGKILL + restart on pglite: the session is adopted, its subscription restored, the next update arrives',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), `archon-mount-${mount}-`));
      try {
        await using server = await startServerProcess({ bin: MOUNT_BIN, env: { ARCHON_MOUNT: mount }, store: `pglite:${dir}` });
        const session = await RawMcpSession.initialize(server.url, { appSessionId: `mounted-${mount}` });
        expect((await session.request('resources/subscribe', { uri: NOTES_URI })).status).toBe(200);
        expect((await session.callTool('add_note', { text: 'before the crash' }))['structuredContent']).toEqual({ count: 1 });

        await server.kill('SIGKILL');
        await server.start();

        // The same Mcp-Session-Id on the new process: adopted, with its app session id.
        const stream = await session.get();
        expect(stream.status).toBe(200);
        expect(stream.headers.get('x-archon-session-id')).toBe(`mounted-${mount}`);
        const received = readEvents(stream, (events) => updatesOf(events).length >= 2, 15_000);
        // The next update, from a 2025 session and from a 2026-07-28 request to the restarted process.
        const other = await RawMcpSession.initialize(server.url);
        expect((await other.callTool('add_note', { text: 'after the restart' }))['structuredContent']).toEqual({ count: 1 });
        expect(resultOf(await postModern(server.url, 'tools/call', { name: 'add_note', arguments: { text: 'modern' } }))).toMatchObject({
          structuredContent: { count: 2 },
        });
        const { events, timedOut } = await received;

        expect(timedOut).toBe(false);
        expect(updatesOf(events)).toEqual([NOTES_URI, NOTES_URI]);
        // The adopted session keeps working for calls too.
        expect((await session.callTool('whoami'))['structuredContent']).toMatchObject({ era: 'legacy', sessionId: session.sessionId });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    MOUNT_TIMEOUT_MS,
  );
});
