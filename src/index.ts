/**
 * archon-mcp-client: the public entry. Named exports only; types with `export type`.
 * The reference server (`archon-mcp-client/server`) and the CLI are separate entries.
 */

// The client
export { MCPClient } from './client/mcp-client';
export { MCP_CLIENT_DEFAULTS } from './client/options';
export type { MCPClientOptions } from './client/options';
export type { ClientState, DegradedEvent, MCPClientEvents } from './client/client-events';
export type { ClientStats } from './client/client-stats';
export type { CallToolOptions, ListOptions, ListToolsOptions, ReadResourceOptions, RequestOptions } from './client/request-options';
export type { InputHandlerContext, InputHandlers } from './client/input-handlers';
export type { EraPreference, ProtocolEra } from './session/era';
export type { McpClientLogger } from './client/logger';
export type { OpenTelemetryTracer } from './telemetry/index';
export type { StreamEvent } from './session/notification-stream';
export type { CircuitBreakerOptions, ReplayPolicy, RetryOptions } from './retry/index';
export type { MCPClientAuthOptions } from './auth/auth-options';
export type { StoredCredentials, TokenStore, TokenStoreLock } from './auth/token-store';

// Helpers
export { callMcpTool } from './helpers/call-mcp-tool';
export type { CallMcpToolOptions } from './helpers/call-mcp-tool';
export { checkMcpHealth } from './helpers/check-mcp-health';
export type { CheckMcpHealthOptions, HealthCheck, HealthReport } from './helpers/check-mcp-health';

// Transport (for the SDK's own Client, and custom fetch)
export { ArchonStreamableHttpTransport } from './transport/sdk-transport';
export type { ArchonTransportOptions } from './transport/sdk-transport';
export type { FetchLike } from './transport/http-seam';

// Errors
export {
  AbortError,
  AuthRequiredError,
  ClosedError,
  ConnectionError,
  HttpError,
  InputRoundError,
  InvalidArgumentError,
  MaybeExecutedError,
  McpClientError,
  OutputValidationError,
  ProtocolError,
  RetryExhaustedError,
  RpcError,
  SessionExpiredError,
  TimeoutError,
  ToolCallError,
  UnknownToolError,
  isMcpClientError,
} from './errors';
export type {
  AuthRequiredReason,
  ConnectionFailureReason,
  InputRoundFailure,
  McpClientErrorCode,
  OutputValidationIssue,
  ProtocolErrorReason,
  SessionLossReason,
  TimeoutKind,
} from './errors';

// Typed tools
export type {
  AnyToolMap,
  ToolArgs,
  ToolCall,
  ToolMap,
  ToolName,
  ToolResult,
  ToolResultOrError,
  ToolSignature,
  TypedCallToolResult,
} from './typed/tool-map';
