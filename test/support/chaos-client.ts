/**
 * The client side of a chaos row: an MCPClient plus a record of every event it emitted, so a row can
 * assert how many retries, re-initializations and stream reconnects a fault cost, and when.
 */
import { MCPClient, type MCPClientEvents, type MCPClientOptions } from '../../src/index';

/** The rows tune the client only through its public options. */
export type ChaosClientOptions = MCPClientOptions;

/** One event as the row saw it, stamped with `Date.now()`. */
export interface Stamped<T> {
  readonly at: number;
  readonly payload: T;
}

export interface EventLog {
  readonly retry: Stamped<MCPClientEvents['retry']>[];
  readonly recovered: Stamped<MCPClientEvents['recovered']>[];
  readonly session: Stamped<MCPClientEvents['session']>[];
  readonly state: Stamped<MCPClientEvents['state']>[];
  readonly notification: Stamped<MCPClientEvents['notification']>[];
  readonly stream: Stamped<MCPClientEvents['stream']>[];
}

export interface ChaosClient extends AsyncDisposable {
  readonly client: MCPClient;
  readonly events: EventLog;
}

/**
 * Creates the client and starts recording its events. Dispose closes it.
 *
 * @example
 * ```ts
 * await using chaos = createChaosClient({ url, retry: { maxElapsedMs: 15_000 } });
 * await chaos.client.callTool('echo', { text: 'hi' });
 * expect(chaos.events.retry).toHaveLength(0);
 * ```
 */
export function createChaosClient(options: ChaosClientOptions): ChaosClient {
  const client = new MCPClient(options);
  const events: EventLog = { retry: [], recovered: [], session: [], state: [], notification: [], stream: [] };
  const record = <Name extends keyof EventLog & keyof MCPClientEvents>(name: Name): void => {
    const into = events[name] as Stamped<MCPClientEvents[Name]>[];
    client.on(name, (payload) => into.push({ at: Date.now(), payload }));
  };
  for (const name of ['retry', 'recovered', 'session', 'state', 'notification', 'stream'] as const) record(name);
  return {
    client,
    events,
    [Symbol.asyncDispose]: () => client.close(),
  };
}
