import type { RedisClient } from './redis-session-store';
import { BrokerEventBus } from './store-bus';

/**
 * Change events across every instance sharing one Redis: Redis pub/sub on `{prefix}events`. Publishing goes
 * through the store's client; receiving needs a client of its own (a subscribed connection runs no other
 * command), which node-redis reconnects and re-subscribes by itself.
 *
 * @example
 * ```ts
 * const bus = await RedisEventBus.connect(client, 'mcp:events', (error) => logger.warn?.({ msg: error.message }));
 * ```
 */
export class RedisEventBus extends BrokerEventBus {
  readonly #publisher: RedisClient;
  readonly #subscriber: RedisClient;
  readonly #channel: string;

  private constructor(publisher: RedisClient, subscriber: RedisClient, channel: string, onError: (error: Error) => void) {
    super(onError);
    this.#publisher = publisher;
    this.#subscriber = subscriber;
    this.#channel = channel;
  }

  static async connect(publisher: RedisClient, channel: string, onError: (error: Error) => void): Promise<RedisEventBus> {
    const subscriber = publisher.duplicate();
    // node-redis emits 'error' on every failed reconnect; unhandled it would crash the process.
    subscriber.on('error', () => {});
    await subscriber.connect();
    const bus = new RedisEventBus(publisher, subscriber, channel, onError);
    await subscriber.subscribe(channel, (message) => bus.received(message));
    return bus;
  }

  protected async send(payload: string): Promise<void> {
    await this.#publisher.publish(this.#channel, payload);
  }

  async close(): Promise<void> {
    if (this.#subscriber.isOpen) await this.#subscriber.close();
  }
}
