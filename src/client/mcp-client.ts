/**
 * MCPClient: the public, typed face of the client. Connection, state, era negotiation and recovery live in
 * `client-core.ts`; the tool list in `tool-directory.ts`; this file is the MCP surface (spec 2025-11-25 and
 * 2026-07-28 "Server Features" + utilities), the same in both eras.
 */
import type {
  CallToolResult,
  CompleteRequest,
  CompleteResult,
  GetPromptResult,
  Implementation,
  ListPromptsResult,
  ListResourceTemplatesResult,
  ListResourcesResult,
  ListToolsResult,
  LoggingLevel,
  ReadResourceResult,
  ServerCapabilities,
  Tool,
} from '@modelcontextprotocol/client';
import { ProtocolError } from '../errors';
import type { ProtocolEra } from '../session/era';
import type { JsonRpcNotification } from '../transport/json-rpc';
import type { AnyToolMap, ToolArgs, ToolMap, ToolName, ToolResult, ToolResultOrError } from '../typed/tool-map';
import { ClientCore } from './client-core';
import type { ClientState, MCPClientEvents } from './client-events';
import type { ClientStats } from './client-stats';
import { type MCPClientOptions, resolveClientOptions } from './options';
import type { CallToolOptions, ListOptions, ListToolsOptions, ReadResourceOptions, RequestOptions } from './request-options';
import { expectArray, listPages } from './pagination';
import { assertCallToolInput } from './call-tool-input';
import type { CoreRequestOptions } from './core-hooks';
import { resolvePerCallOptions } from './per-call-options';
import type { OptionScope } from './unknown-options';
import { ResourceSubscriptions } from './resource-subscriptions';
import { ToolDirectory } from './tool-directory';
import { untilAborted } from './until-aborted';

/**
 * A resilient, typed MCP client over Streamable HTTP. Connects lazily on first use.
 *
 * @example
 * ```ts
 * await using client = new MCPClient({ url: 'http://localhost:8051/mcp' });
 * const result = await client.callTool('find_projects', { query: 'auth' });
 * console.log(result.structuredContent);
 * ```
 */
export class MCPClient<Tools extends ToolMap = AnyToolMap> {
  readonly #core: ClientCore;
  readonly #tools: ToolDirectory;
  readonly #subscriptions: ResourceSubscriptions;

  constructor(options?: MCPClientOptions) {
    const resolved = resolveClientOptions(options);
    this.#tools = new ToolDirectory({
      fetchTools: (listOptions) => this.#list('tools/list', 'tools', listOptions) as Promise<ListToolsResult>,
      era: () => this.#core.era,
      logger: resolved.logger,
    });
    this.#core = new ClientCore(resolved, {
      onNotification: (notification) => this.#onNotification(notification),
      subscriptions: () => this.#subscriptions.uris,
      annotationsOf: (name) => this.#tools.annotationsOf(name),
      onRecovered: () => this.#tools.refreshAfterRecovery(),
      refreshTools: () => this.#tools.refresh(),
      // The listen stream came back after a drop: a tools/list_changed may have been missed.
      onGap: () => this.#tools.refreshAfterRecovery(),
    });
    this.#subscriptions = new ResourceSubscriptions(this.#core);
  }

  /**
   * Creates a client and connects it at once (the handshake of its era, then its notification stream).
   *
   * @example
   * ```ts
   * const client = await MCPClient.connect({ url });
   * ```
   */
  static async connect<Tools extends ToolMap = AnyToolMap>(options?: MCPClientOptions): Promise<MCPClient<Tools>> {
    const client = new MCPClient<Tools>(options);
    try {
      await client.connect();
    } catch (error) {
      await client.close();
      throw error;
    }
    return client;
  }

  /** `idle -> connecting -> ready -> recovering -> ready ... -> closed`. */
  get state(): ClientState {
    return this.#core.state;
  }

  /** The application session id sent in `sessionHeader` on every request. */
  get sessionId(): string {
    return this.#core.sessionId;
  }

  /** The protocol session id the server issued at initialize (legacy era only; the modern era has none). */
  get mcpSessionId(): string | undefined {
    return this.#core.mcpSessionId;
  }

  /** The protocol era of the connection, once connected: `'modern'` (2026-07-28) or `'legacy'` (initialize). */
  get era(): ProtocolEra | undefined {
    return this.#core.era;
  }

  /** The server's instructions for models, once connected (from `server/discover` or `initialize`). */
  get instructions(): string | undefined {
    return this.#core.session?.instructions;
  }

  /** The server's name and version, once connected. */
  get serverInfo(): Implementation | undefined {
    return this.#core.session?.serverInfo;
  }

  /** The server's capabilities, once connected. */
  get serverCapabilities(): ServerCapabilities | undefined {
    return this.#core.session?.serverCapabilities;
  }

  /** The negotiated protocol version, once connected (`'2026-07-28'` in the modern era). */
  get protocolVersion(): string | undefined {
    return this.#core.session?.protocolVersion;
  }

  /** The resources this client subscribed to (subscribed again after a recovery, in either era). */
  get subscriptions(): ReadonlySet<string> {
    return this.#subscriptions.uris;
  }

  /**
   * Resilience counters: calls, retries, reinitializations, resumes, replaysRefused, inputRounds, cacheHits, breakerTrips, recoveryMs.
   *
   * @example
   * ```ts
   * const { retries, reinitializations } = client.stats();
   * ```
   */
  stats(): ClientStats {
    return this.#core.stats();
  }

  /**
   * Subscribes to an event; returns the unsubscribe function.
   *
   * @example
   * ```ts
   * const off = client.on('notification', ({ method, params }) => console.log(method, params));
   * ```
   */
  on<Name extends keyof MCPClientEvents>(name: Name, listener: (payload: MCPClientEvents[Name]) => void): () => void {
    return this.#core.events.on(name, listener);
  }

  /**
   * Connects now (otherwise the first call does). Idempotent; concurrent callers share one attempt.
   *
   * @example
   * ```ts
   * await client.connect();
   * ```
   */
  connect(options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.#core.connectWithRetry(options.signal);
  }

  /**
   * Calls a tool. Rejects with ToolCallError when the result has `isError` (unless `throwOnError: false`).
   * The first call fetches the tool list once (shared by concurrent callers, cached until
   * `notifications/tools/list_changed` or a re-initialize), so an unknown name rejects with
   * UnknownToolError before the `tools/call` is sent, `structuredContent` is always validated against the
   * tool's `outputSchema` (OutputValidationError), and replay decisions know the tool's annotations.
   *
   * @example
   * ```ts
   * const { structuredContent } = await client.callTool('find_projects', { query: 'auth' }, { timeoutMs: 10_000 });
   * ```
   */
  callTool<N extends ToolName<Tools>>(name: N, args: ToolArgs<Tools, N>, options?: CallToolOptions & { throwOnError?: true }): Promise<ToolResult<Tools, N>>;
  /** With `throwOnError: false` a tool error (`isError: true`) resolves too: narrow on `isError` before reading `structuredContent`. */
  callTool<N extends ToolName<Tools>>(name: N, args: ToolArgs<Tools, N>, options: CallToolOptions): Promise<ToolResultOrError<Tools, N>>;
  async callTool<N extends ToolName<Tools>>(name: N, args: ToolArgs<Tools, N>, options: CallToolOptions = {}): Promise<ToolResult<Tools, N> | ToolResultOrError<Tools, N>> {
    const policy = assertCallToolInput(name, args, options, this.#core.options.retry);
    if (!this.#tools.known) await untilAborted(this.#tools.learn(), options.signal);
    this.#tools.catalog.assertKnown(name);
    const headers = (): Readonly<Record<string, string>> | undefined => (this.#core.era === 'modern' ? this.#tools.paramHeaders(name, args) : undefined);
    const result = await this.#core.request('tools/call', { name, arguments: args }, { ...options, ...policy, headers } as CoreRequestOptions);
    return (await this.#tools.checkResult(name, result, options.throwOnError ?? this.#core.options.throwOnToolError)) as ToolResult<Tools, N>;
  }

  /**
   * Lists the server's tools. The full list is cached until `notifications/tools/list_changed` or
   * `{ refresh: true }`; a `cursor` fetches one page, uncached.
   *
   * @example
   * ```ts
   * const { tools } = await client.listTools();
   * ```
   */
  async listTools(options: ListToolsOptions = {}): Promise<ListToolsResult> {
    return this.#tools.list(this.#perCall(options, 'list') as ListToolsOptions);
  }

  /**
   * The cached tool definition of `name`, if the tool list was fetched.
   *
   * @example
   * ```ts
   * const readOnly = client.cachedTool('find_projects')?.annotations?.readOnlyHint === true;
   * ```
   */
  cachedTool(name: string): Tool | undefined {
    return this.#tools.catalog.get(name);
  }

  /**
   * Lists resources (all pages unless `cursor` is given).
   *
   * @example
   * ```ts
   * const { resources } = await client.listResources();
   * ```
   */
  async listResources(options: ListOptions = {}): Promise<ListResourcesResult> {
    return (await this.#list('resources/list', 'resources', this.#perCall(options, 'list') as ListOptions)) as ListResourcesResult;
  }

  /**
   * Lists resource templates (all pages unless `cursor` is given).
   *
   * @example
   * ```ts
   * const { resourceTemplates } = await client.listResourceTemplates();
   * ```
   */
  async listResourceTemplates(options: ListOptions = {}): Promise<ListResourceTemplatesResult> {
    return (await this.#list('resources/templates/list', 'resourceTemplates', this.#perCall(options, 'list') as ListOptions)) as ListResourceTemplatesResult;
  }

  /**
   * Reads one resource.
   *
   * @example
   * ```ts
   * const { contents } = await client.readResource('archon://status');
   * ```
   */
  async readResource(uri: string, options: ReadResourceOptions = {}): Promise<ReadResourceResult> {
    const result = await this.#core.request('resources/read', { uri }, this.#perCall(options, 'read'));
    return expectArray(result, 'contents', 'resources/read') as ReadResourceResult;
  }

  /**
   * Subscribes to updates of a resource (`notifications/resources/updated` arrive as `notification`). Legacy:
   * `resources/subscribe`. Modern: the listen stream is re-sent with the URI and this resolves once the
   * server acknowledged it. Remembered, so a recovered connection subscribes again.
   *
   * @example
   * ```ts
   * await client.subscribeResource('archon://status');
   * ```
   */
  async subscribeResource(uri: string, options: RequestOptions = {}): Promise<void> {
    return this.#subscriptions.subscribe(uri, this.#perCall(options, 'request'));
  }

  /**
   * Ends a resource subscription (legacy: `resources/unsubscribe`; modern: the listen stream without the URI).
   *
   * @example
   * ```ts
   * await client.unsubscribeResource('archon://status');
   * ```
   */
  async unsubscribeResource(uri: string, options: RequestOptions = {}): Promise<void> {
    return this.#subscriptions.unsubscribe(uri, this.#perCall(options, 'request'));
  }

  /**
   * Lists prompts (all pages unless `cursor` is given).
   *
   * @example
   * ```ts
   * const { prompts } = await client.listPrompts();
   * ```
   */
  async listPrompts(options: ListOptions = {}): Promise<ListPromptsResult> {
    return (await this.#list('prompts/list', 'prompts', this.#perCall(options, 'list') as ListOptions)) as ListPromptsResult;
  }

  /**
   * Renders one prompt.
   *
   * @example
   * ```ts
   * const { messages } = await client.getPrompt('summarize', { topic: 'auth' });
   * ```
   */
  async getPrompt(name: string, args?: Record<string, string>, options: RequestOptions = {}): Promise<GetPromptResult> {
    const params: Record<string, unknown> = { name };
    if (args !== undefined) params.arguments = args;
    const result = await this.#core.request('prompts/get', params, this.#perCall(options, 'request'));
    return expectArray(result, 'messages', 'prompts/get') as GetPromptResult;
  }

  /**
   * Asks for argument completions (spec "Completion").
   *
   * @example
   * ```ts
   * const { completion } = await client.complete({ ref: { type: 'ref/prompt', name: 'summarize' }, argument: { name: 'topic', value: 'au' } });
   * ```
   */
  async complete(params: CompleteRequest['params'], options: RequestOptions = {}): Promise<CompleteResult> {
    const result = await this.#core.request('completion/complete', params, this.#perCall(options, 'request'));
    if (typeof result.completion !== 'object' || result.completion === null) {
      throw new ProtocolError('completion/complete returned no completion object', { reason: 'invalid_message', cause: result });
    }
    return result as CompleteResult;
  }

  /**
   * Sets the server's log level; log lines arrive as `notifications/message` on `notification`. Legacy:
   * `logging/setLevel`. Modern (no such method): every later request asks for `level` in its `_meta`.
   *
   * @example
   * ```ts
   * await client.setLoggingLevel('debug');
   * ```
   */
  async setLoggingLevel(level: LoggingLevel, options: RequestOptions = {}): Promise<void> {
    const resolved = this.#perCall(options, 'request');
    if (this.#core.state !== 'ready') await this.#core.connectWithRetry(options.signal);
    if (this.#core.era === 'modern') return this.#core.setLogLevel(level);
    await this.#core.request('logging/setLevel', { level }, resolved);
  }

  /**
   * Pings the server; resolves with the round trip in ms. Legacy: `ping`. Modern (no ping): `server/discover`.
   *
   * @example
   * ```ts
   * const ms = await client.ping();
   * ```
   */
  async ping(options: RequestOptions = {}): Promise<number> {
    const now = this.#core.options.now;
    const resolved = this.#perCall(options, 'request');
    if (this.#core.state !== 'ready') await this.#core.connectWithRetry(options.signal);
    const started = now();
    await this.#core.request(this.#core.era === 'modern' ? 'server/discover' : 'ping', undefined, resolved);
    return now() - started;
  }

  /**
   * Sends a notification to the server (e.g. `notifications/roots/list_changed` after your roots changed).
   * Connects first if needed; bounded by `timeoutMs`; not retried (a notification has no answer to wait for).
   *
   * @example
   * ```ts
   * await client.notify('notifications/roots/list_changed');
   * ```
   */
  async notify(method: string, params?: Record<string, unknown>, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#core.state !== 'ready') await this.#core.connectWithRetry(options.signal);
    await this.#core.notify(method, params, options.signal);
  }

  /**
   * Completes an authorization the user approved in the browser, after a call rejected with
   * `AuthRequiredError` (`reason: 'redirect'`): pass the whole callback URL (or its query). Checks `state` and
   * the RFC 9207 `iss`, exchanges the code (PKCE), stores the tokens; calls made afterwards continue with them.
   * Rejects with `TypeError` when the client has no `OAuthClientProvider` as its `authProvider`.
   *
   * @example
   * ```ts
   * await client.finishAuth('http://127.0.0.1:8976/callback?code=abc&state=xyz&iss=https%3A%2F%2Fauth.example.com');
   * ```
   */
  async finishAuth(callback: string | URL | URLSearchParams): Promise<void> {
    const auth = this.#core.options.auth;
    if (auth === undefined) throw new TypeError('finishAuth needs the `authProvider` option (an OAuthClientProvider)');
    await auth.finishAuth(callback);
  }

  /**
   * Closes the client: in-flight calls reject with ClosedError, the session is DELETEd (bounded wait),
   * the GET stream closes, owned sockets are released. Idempotent.
   *
   * @example
   * ```ts
   * await client.close();
   * ```
   */
  close(): Promise<void> {
    return this.#core.close();
  }

  /** `await using client = new MCPClient(...)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #onNotification(notification: JsonRpcNotification): void {
    if (notification.method === 'notifications/tools/list_changed') this.#tools.invalidate();
  }

  #list(method: string, key: string, options: ListOptions): Promise<Record<string, unknown>> {
    return listPages((params) => this.#core.request(method, params, options as CoreRequestOptions), method, key, options.cursor, this.#core.options);
  }

  /** The per-call options checked (unknown keys too) with `retry`/`replay` resolved, for the core. */
  #perCall(options: RequestOptions, scope: OptionScope): CoreRequestOptions {
    const policy = resolvePerCallOptions(options, scope, this.#core.options.retry);
    return (policy.retry === undefined && policy.replay === undefined ? options : { ...options, ...policy }) as CoreRequestOptions;
  }
}
