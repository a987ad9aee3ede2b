/**
 * `archon-mcp-client/server`: the session layer (`createSessionHandler`, persistent sessions for YOUR
 * `McpServer`) and the reference server built on it. Named exports only.
 */
export {
  createSessionHandler,
  type SessionFetchOptions,
  type SessionHandler,
  type SessionHandlerStats,
} from './session-handler';
export {
  SESSION_HANDLER_DEFAULTS,
  resolveSessionLayerOptions,
  type ProtocolEraName,
  type ResolvedSessionOptions,
  type ServerLogEntry,
  type ServerLogger,
  type SessionHandlerOptions,
  type SessionLayerOptions,
} from './session-options';
export type { PeerLimitOptions } from './peer-limits';
export type { SessionInfo, SessionServerContext, SessionServerFactory } from './session-server';
export { OAUTH_RESOURCE_DEFAULTS, type OAuthResourceOptions } from './auth/oauth-options';
export type { TokenClaims, TokenSubject } from './auth/jwt-verifier';
export { startReferenceServer, type ReferenceServer } from './reference-server';
export { parseServeOptions, runServe, SERVE_DEFAULTS, serveHelp, type ServeCommand, type ServeIo } from './serve';
export { SERVER_DEFAULTS, type ReferenceServerOptions } from './reference-options';
export { createStores, storeKindOf, type StoreSpec, type Stores } from './stores/index';
export { createMemoryStores } from './stores/memory-store';
export type {
  AppSessionClaim,
  AppSessionClaimRequest,
  AppSessionRecord,
  AppSessionStatus,
  EventStoreLimits,
  RequestRecord,
  SessionCounts,
  SessionEventStore,
  SessionRecord,
  SessionState,
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
