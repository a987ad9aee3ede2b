import { createMemoryStores } from './memory-store';
import type { EventStoreLimits, SessionEventStore, SessionStore, StoreKind } from './types';

export type { EventStoreLimits, SessionEventStore, SessionRecord, SessionStore, SessionTouch, StoreKind } from './types';

/**
 * A session store plus the event store that goes with it.
 *
 * @example
 * ```ts
 * const stores: Stores = await createMemoryStores();
 * await startReferenceServer({ store: stores }); // shared, and not closed by the server
 * ```
 */
export interface Stores {
  sessions: SessionStore;
  events: SessionEventStore;
}

/**
 * Where sessions live: `'memory'`, `'file:<dir>'` (the embedded journal store, no package needed),
 * `'pglite:<dir>'` (embedded Postgres), a `postgres://` or `redis://` URL, or ready-made {@link Stores}.
 *
 * @example
 * ```ts
 * const spec: StoreSpec = 'file:.mcp-data';
 * ```
 */
export type StoreSpec =
  | 'memory'
  | `file:${string}`
  | `pglite:${string}`
  | `postgres://${string}`
  | `postgresql://${string}`
  | `redis://${string}`
  | `rediss://${string}`
  | Stores;

/**
 * Which backend a spec names, without connecting to it.
 *
 * @example
 * ```ts
 * storeKindOf('pglite:.mcp-data'); // 'pglite'
 * ```
 */
export function storeKindOf(spec: StoreSpec | string): StoreKind {
  if (typeof spec !== 'string') return spec.sessions.kind;
  if (spec === 'memory') return 'memory';
  if (spec.startsWith('file:')) return 'file';
  if (spec.startsWith('pglite:')) return 'pglite';
  if (spec.startsWith('postgres://') || spec.startsWith('postgresql://')) return 'postgres';
  if (spec.startsWith('redis://') || spec.startsWith('rediss://')) return 'redis';
  throw new TypeError(
    `Expected \`store\` to be 'memory', 'file:<dir>', 'pglite:<dir>', a postgres:// or redis:// URL, got ${JSON.stringify(spec)}`,
  );
}

/**
 * Creates (but does not `init()`) the stores a spec names. Persistent backends are imported lazily
 * so that a memory-only server never loads pg, pglite or redis; `file:` needs no package at all.
 *
 * @example
 * ```ts
 * const { sessions, events } = await createStores('memory');
 * await sessions.init();
 * ```
 */
export async function createStores(spec: StoreSpec | string, limits: Partial<EventStoreLimits> = {}): Promise<Stores> {
  if (typeof spec !== 'string') return spec;
  switch (storeKindOf(spec)) {
    case 'memory':
      return createMemoryStores(limits);
    case 'file': {
      const { createFileStores } = await import('./file-store');
      return createFileStores(spec.slice('file:'.length), limits);
    }
    case 'pglite': {
      const { createPgliteStores } = await import('./pglite-store');
      return createPgliteStores(spec.slice('pglite:'.length), limits);
    }
    case 'postgres': {
      const { createPostgresStores } = await import('./postgres-store');
      return createPostgresStores(spec, limits);
    }
    case 'redis': {
      const { createRedisStores } = await import('./redis-store');
      return createRedisStores(spec, limits);
    }
  }
}
