/**
 * The well-behaved client of the server hostile cases: one legacy session from 127.0.0.1 calling `echo` in a loop
 * while the hostile clients do their worst. A test asserts how many calls were answered (counts, not latency).
 */
import { RawMcpSession } from '../../support/server-raw-client';

/** What the good client saw. */
export interface GoodClientTally {
  answered: number;
  failed: number;
  /** The first failure's message, for the assertion's diff. */
  firstError: string | undefined;
}

/** A running good client. */
export interface GoodClient {
  /** Calls answered so far. */
  answered(): number;
  /** Stops after the call in progress and reports. */
  stop(): Promise<GoodClientTally>;
}

/** Pause between two calls: a steady trickle, not a load test. */
const PAUSE_MS = 20;

/**
 * @example
 * ```ts
 * const good = await startGoodClient(server.url);
 * await hostileCase();
 * expect((await good.stop()).answered).toBeGreaterThan(0);
 * ```
 */
export async function startGoodClient(url: string, headers: Record<string, string> = {}): Promise<GoodClient> {
  const session = await RawMcpSession.initialize(url, { headers });
  const tally: GoodClientTally = { answered: 0, failed: 0, firstError: undefined };
  let running = true;
  const loop = (async () => {
    for (let call = 0; running; call++) {
      try {
        const result = await session.callTool('echo', { text: `good ${call}` });
        if (JSON.stringify(result).includes(`good ${call}`)) tally.answered += 1;
        else throw new Error(`unexpected echo ${JSON.stringify(result).slice(0, 200)}`);
      } catch (error) {
        tally.failed += 1;
        tally.firstError ??= error instanceof Error ? error.message : String(error);
      }
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
  })();
  return {
    answered: () => tally.answered,
    async stop() {
      running = false;
      await loop;
      return tally;
    },
  };
}
