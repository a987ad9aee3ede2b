import type pg from 'pg';
import { BrokerEventBus } from './store-bus';

/** The NOTIFY channel (one per database: PostgreSQL scopes notifications to the database). */
const CHANNEL = 'mcp_events';
/** Reconnect backoff of the LISTEN connection: 100 ms doubling, capped. */
const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

/**
 * Change events across every instance sharing one PostgreSQL database: `NOTIFY mcp_events` through the store's
 * pool, `LISTEN mcp_events` on a connection of its own (a pooled one would be handed to other queries). That
 * connection comes back by itself after the server went away, with capped backoff; events sent while it was
 * down are lost, as with any pub/sub (the SDK's bus contract is at-most-once too).
 *
 * @example
 * ```ts
 * const bus = await PostgresEventBus.connect(pool, () => new pg.Client({ connectionString: url }), onError);
 * ```
 */
export class PostgresEventBus extends BrokerEventBus {
  readonly #pool: pg.Pool;
  readonly #connect: () => pg.Client;
  #listener: pg.Client | undefined;
  #closed = false;
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;

  private constructor(pool: pg.Pool, connect: () => pg.Client, onError: (error: Error) => void) {
    super(onError);
    this.#pool = pool;
    this.#connect = connect;
  }

  static async connect(pool: pg.Pool, connect: () => pg.Client, onError: (error: Error) => void): Promise<PostgresEventBus> {
    const bus = new PostgresEventBus(pool, connect, onError);
    await bus.#listen();
    return bus;
  }

  protected async send(payload: string): Promise<void> {
    await this.#pool.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const listener = this.#listener;
    this.#listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  async #listen(): Promise<void> {
    const client = this.#connect();
    const lost = (): void => {
      if (this.#listener !== client) return;
      this.#listener = undefined;
      void client.end().catch(() => undefined);
      this.#retry();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (message) => {
      if (message.channel === CHANNEL && message.payload !== undefined) this.received(message.payload);
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#listener = client;
    this.#attempt = 0;
  }

  #retry(): void {
    if (this.#closed) return;
    const delay = Math.min(RECONNECT_MIN_MS * 2 ** Math.min(this.#attempt, 10), RECONNECT_MAX_MS);
    this.#attempt += 1;
    this.#timer = setTimeout(() => {
      this.#listen().catch(() => this.#retry());
    }, delay);
    this.#timer.unref();
  }
}
