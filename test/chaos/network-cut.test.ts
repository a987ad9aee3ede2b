/**
 * Fault matrix row "network cut 4 s with the session alive", in both eras against the reference server. The TCP
 * proxy resets every connection and refuses new ones for 4 s while the server and its sessions live on. Pass: the
 * calls made during the cut recover, the notification stream comes back (the 2025 GET stream, or the 2026-07-28
 * `subscriptions/listen` stream, re-sent with its resource filter), and a resource update sent afterwards
 * arrives exactly once. Real time: the outage is the scenario. The official SDK client's GET stream gives up at
 * 3.5 s and notifications are lost silently (notes/sdk-baseline.md e3c).
 */
import { describe, expect, test } from 'vitest';
import { createChaosClient } from '../support/chaos-client';
import { failuresOf, realDelay, settle } from '../support/chaos-calls';
import { pollUntil } from '../support/chaos-poll';
import { startChaosServer } from '../support/chaos-server';

const CUT_MS = 4_000;
const STATUS_URI = 'archon://status';

describe('network cut with the session alive', () => {
  test.for(['legacy', 'modern'] as const)(
    '%s era: calls made during a 4 s cut recover, the notification stream comes back and a later update arrives once',
    { timeout: 30_000 },
    async (era, { annotate }) => {
      await using chaos = await startChaosServer({ proxy: true });
      const { proxy } = chaos;
      await using caller = createChaosClient({ era, url: chaos.url, retry: { retries: 10_000, maxElapsedMs: 15_000, maxDelayMs: 500 } });
      await caller.client.callTool('echo', { text: 'before' });
      await caller.client.subscribeResource(STATUS_URI);
      await pollUntil(() => caller.events.stream.some(({ payload }) => payload.type === 'open'), {
        what: 'the notification stream to open',
      });
      const sessionBefore = caller.client.mcpSessionId;
      const appSessionBefore = caller.client.sessionId;

      const cut = proxy.cut(CUT_MS);
      const during = [0, 1_000, 2_000, 3_000].map((startAfterMs) =>
        realDelay(startAfterMs).then(() => settle(caller.client.callTool('echo', { text: `during +${startAfterMs}` }))),
      );
      const backAt = await cut;
      const outcomes = await Promise.all(during);

      expect(failuresOf(outcomes)).toEqual([]);
      // The session lived through the cut: no re-initialize was needed (and 2026-07-28 has none to make).
      expect(caller.client.mcpSessionId).toBe(sessionBefore);
      expect(caller.client.sessionId).toBe(appSessionBefore);
      expect((await chaos.stats()).initializeCount).toBe(era === 'legacy' ? 1 : 0);
      expect(caller.client.stats().reinitializations).toBe(0);
      const reopened = await pollUntil(() => caller.events.stream.find(({ at, payload }) => payload.type === 'open' && at >= backAt), {
        what: 'the notification stream to reopen after the cut',
        timeoutMs: 10_000,
      });
      const lastCallAt = Math.max(...outcomes.map(({ at }) => at));
      await annotate(`last call done ${lastCallAt - backAt} ms after the network came back; stream back after ${reopened.at - backAt} ms`);

      const updatesAfterCut = (): number =>
        caller.events.notification.filter(
          ({ at, payload }) =>
            at >= reopened.at && payload.method === 'notifications/resources/updated' && payload.params?.['uri'] === STATUS_URI,
        ).length;
      await caller.client.callTool('notify', { text: 'after the cut' });
      await pollUntil(() => updatesAfterCut() > 0, { what: 'the update sent after the cut' });
      await realDelay(300);
      expect(updatesAfterCut()).toBe(1);
      if (era === 'legacy') {
        // The GET stream carries the session's log lines too.
        await pollUntil(
          () =>
            caller.events.notification.some(
              ({ payload }) => payload.method === 'notifications/message' && payload.params?.['data'] === 'after the cut',
            ),
          { what: 'the log line sent after the cut' },
        );
      }
    },
  );
});
