/**
 * Fault matrix row "server restarted between calls" (DESIGN.md). The server keeps sessions in memory,
 * so the restart forgets the protocol session: the next call gets 404 and the client must re-initialize
 * with the SAME application session id. The official SDK client fails 10/10 calls here, forever
 * (notes/sdk-baseline.md e1).
 */
import { describe, expect, test } from 'vitest';
import { createChaosClient } from '../support/chaos-client';
import { failuresOf, settle } from '../support/chaos-calls';
import { startChaosServer } from '../support/chaos-server';

interface SessionHealth {
  mcpSessionId: string;
  appSessionId: string;
}

describe('server restarted between calls', () => {
  test('the caller sees no failure; the app session id is kept and a new protocol session is made', async () => {
    await using chaos = await startChaosServer();
    await using caller = createChaosClient({ era: 'legacy', url: chaos.url });
    const before = (await caller.client.callTool('session_health_check', {})).structuredContent as unknown as SessionHealth;

    await chaos.server.restart();
    const outcomes = [];
    for (let call = 0; call < 3; call++) outcomes.push(await settle(caller.client.callTool('session_health_check', {})));
    outcomes.push(await settle(caller.client.callTool('echo', { text: 'after the restart' })));

    expect(failuresOf(outcomes)).toEqual([]);
    const after = (outcomes[0]?.ok ? outcomes[0].value.structuredContent : undefined) as unknown as SessionHealth;
    expect(after.appSessionId).toBe(before.appSessionId);
    expect(after.mcpSessionId).not.toBe(before.mcpSessionId);
    expect(caller.client.mcpSessionId).toBe(after.mcpSessionId);
    const stats = await chaos.stats();
    // The restarted process saw exactly one initialize, and every request it saw carried the one app id.
    expect(stats.initializeCount).toBe(1);
    expect(new Set(stats.appSessionIds)).toEqual(new Set([before.appSessionId]));
    expect(stats.toolRuns).toEqual({ session_health_check: 3, echo: 1 });
    expect(caller.events.session).toHaveLength(0);
    expect(caller.client.stats().reinitializations).toBe(1);
  });
});
