/**
 * Child process of the file store's crash test: `node --import tsx file-crash-writer.ts <dir>`. Sixteen
 * writers claim app sessions and create sessions (one sync for both, as the legacy `initialize`), claim them again, save their state and store events on the file store as
 * fast as it acknowledges them, and print one line per acknowledged write (`session <id>`, `app <appSessionId>`,
 * `state <sessionId>` or `event <sessionId> <primingId> <eventId> <n>`), so the parent knows what was
 * acknowledged when it sends SIGKILL. It never stops on its own.
 */
import { createFileStores } from '../../../server/stores/file-store';
import { notification, PRIMING, sessionRecord } from './fixtures';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: file-crash-writer.ts <dir>');
const { sessions, events } = await createFileStores(dir);
process.stdout.write('ready\n');

async function writer(): Promise<void> {
  for (;;) {
    const record = sessionRecord();
    // As the legacy `initialize` does: the claim rides on the durability of the `create` that follows it.
    const claimedAt = Date.now();
    await sessions.claimAppSession({
      appSessionId: record.appSessionId,
      principalHash: record.principalHash,
      now: claimedAt,
      expiresAt: claimedAt + 60_000,
      syncWithNextWrite: true,
    });
    await sessions.create(record);
    process.stdout.write(`session ${record.sessionId}\napp ${record.appSessionId}\n`);
    const now = Date.now();
    await sessions.claimAppSession({
      appSessionId: record.appSessionId,
      principalHash: record.principalHash,
      now,
      expiresAt: now + 60_000,
    });
    process.stdout.write(`app ${record.appSessionId}\n`);
    await sessions.saveSessionState(record.sessionId, { subscriptions: [`archon://projects/${record.sessionId}`], loggingLevel: 'info' });
    process.stdout.write(`state ${record.sessionId}\n`);
    const store = events.forSession(record.sessionId);
    const primingId = await store.storeEvent('_GET_stream', PRIMING);
    for (let n = 1; n <= 5; n += 1) {
      const eventId = await store.storeEvent('_GET_stream', notification(record.sessionId, n, 'p'.repeat(n * 100)));
      process.stdout.write(`event ${record.sessionId} ${primingId} ${eventId} ${n}\n`);
      // Activity is written behind: not acknowledged as durable, so not reported.
      await sessions.touch(record.sessionId, Date.now(), Date.now() + 60_000);
    }
  }
}

await Promise.all(Array.from({ length: 16 }, () => writer()));
