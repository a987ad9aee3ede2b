/**
 * `archon-mcp-client/server`: the reference MCP server the client is tested against.
 * Named exports only.
 */
export { startReferenceServer, type ReferenceServer } from './reference-server';
export { parseServeOptions, runServe, SERVE_DEFAULTS, serveHelp, type ServeCommand, type ServeIo } from './serve';
export {
  resolveServerOptions,
  SERVER_DEFAULTS,
  type ReferenceServerOptions,
  type ServerLogger,
  type ServerLogEntry,
} from './options';
export { createStores, storeKindOf, type StoreSpec, type Stores } from './stores/index';
export { createMemoryStores } from './stores/memory-store';
export type {
  EventStoreLimits,
  RequestRecord,
  SessionCounts,
  SessionEventStore,
  SessionRecord,
  SessionStatus,
  SessionStore,
  SessionTouch,
  StoreKind,
} from './stores/types';
export type {
  CutAfterEventsOptions,
  FailNextOptions,
  FaultMatch,
  ServerFaults,
} from './testing/fault-injector';
export type { ServerStatsSnapshot } from './testing/server-stats';
export type { HealthReport } from './http/health-endpoint';
export { APP_SESSION_ID_PATTERN } from './sessions/app-session-id';
