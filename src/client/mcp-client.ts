/**
 * MCPClient: the public, typed face of the client. Connection, state and recovery live in
 * `client-core.ts`; this file is the MCP surface (spec 2025-11-25 "Server Features" + utilities).
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
  ToolAnnotations,
} from '@modelcontextprotocol/sdk/types.js';
import { AbortError, ProtocolError, RpcError, ToolCallError } from '../errors';
import type { JsonRpcNotification } from '../transport/json-rpc';
import type { AnyToolMap, ToolArgs, ToolMap, ToolName, ToolResult, ToolResultOrError } from '../typed/tool-map';
import { ClientCore } from './client-core';
import type { ClientState, MCPClientEvents } from './client-events';
import type { ClientStats } from './client-stats';
import { type MCPClientOptions, resolveClientOptions } from './options';
import type { CallToolOptions, ListOptions, ListToolsOptions, RequestOptions } from './request-options';
import { expectArray, listPages } from './pagination';
import { ToolCatalog } from './tool-catalog';
import { assertCallToolInput } from './call-tool-input';

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
  readonly #catalog = new ToolCatalog();
  #learning: Promise<void> | undefined;
  /**
   * Set when the server answered tools/list with a JSON-RPC error (no tools capability, say): calls then go
   * out unchecked until the tool list changes or the session is re-initialized.
   */
  #catalogUnavailable = false;
  readonly #subscriptions = new Set<string>();

  constructor(options?: MCPClientOptions) {
    this.#core = new ClientCore(resolveClientOptions(options), {
      onNotification: (notification) => this.#onNotification(notification),
      subscriptions: () => this.#subscriptions,
      annotationsOf: (name) => this.#annotationsOf(name),
      onRecovered: () => this.#refreshToolCache(),
    });
  }

  /**
   * Creates a client and connects it at once (initialize + GET stream).
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

  /** The protocol session id the server issued at initialize. */
  get mcpSessionId(): string | undefined {
    return this.#core.mcpSessionId;
  }

  /** The server's name and version, once connected. */
  get serverInfo(): Implementation | undefined {
    return this.#core.serverInfo;
  }

  /** The server's capabilities, once connected. */
  get serverCapabilities(): ServerCapabilities | undefined {
    return this.#core.serverCapabilities;
  }

  /** The negotiated protocol version, once connected. */
  get protocolVersion(): string | undefined {
    return this.#core.protocolVersion;
  }

  /** The resources this client subscribed to (re-subscribed after a re-initialize). */
  get subscriptions(): ReadonlySet<string> {
    return this.#subscriptions;
  }

  /**
   * Resilience counters: calls, retries, reinitializations, resumes, replaysRefused, breakerTrips, recoveryMs.
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
    assertCallToolInput(name, args, options);
    if (this.#catalog.tools === undefined && !this.#catalogUnavailable) await untilAborted(this.#learnTools(), options.signal);
    this.#catalog.assertKnown(name);
    const result = await this.#core.request('tools/call', { name, arguments: args }, options);
    if (!Array.isArray(result.content)) {
      throw new ProtocolError(`The result of tool ${name} has no content array`, { reason: 'invalid_message', cause: result });
    }
    const toolResult = result as CallToolResult;
    if (toolResult.isError === true && (options.throwOnError ?? this.#core.options.throwOnToolError)) {
      throw new ToolCallError(`Tool ${name} reported an error: ${describeContent(toolResult)}`, { toolName: name, result: toolResult });
    }
    await this.#catalog.validateOutput(name, toolResult);
    return toolResult as ToolResult<Tools, N>;
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
    if (options.cursor !== undefined) return (await this.#list('tools/list', 'tools', options)) as ListToolsResult;
    const cached = this.#catalog.tools;
    if (cached && !options.refresh) return { tools: cached };
    const { tools } = (await this.#list('tools/list', 'tools', options)) as ListToolsResult;
    this.#catalog.replace(tools);
    return { tools };
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
    return this.#catalog.get(name);
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
    return (await this.#list('resources/list', 'resources', options)) as ListResourcesResult;
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
    return (await this.#list('resources/templates/list', 'resourceTemplates', options)) as ListResourceTemplatesResult;
  }

  /**
   * Reads one resource.
   *
   * @example
   * ```ts
   * const { contents } = await client.readResource('archon://status');
   * ```
   */
  async readResource(uri: string, options: RequestOptions = {}): Promise<ReadResourceResult> {
    const result = await this.#core.request('resources/read', { uri }, options);
    return expectArray(result, 'contents', 'resources/read') as ReadResourceResult;
  }

  /**
   * Subscribes to updates of a resource (`notifications/resources/updated` arrive as `notification`).
   * Remembered, so a re-initialized session subscribes again.
   *
   * @example
   * ```ts
   * await client.subscribeResource('archon://status');
   * ```
   */
  async subscribeResource(uri: string, options: RequestOptions = {}): Promise<void> {
    await this.#core.request('resources/subscribe', { uri }, options);
    this.#subscriptions.add(uri);
  }

  /**
   * Ends a resource subscription.
   *
   * @example
   * ```ts
   * await client.unsubscribeResource('archon://status');
   * ```
   */
  async unsubscribeResource(uri: string, options: RequestOptions = {}): Promise<void> {
    this.#subscriptions.delete(uri);
    await this.#core.request('resources/unsubscribe', { uri }, options);
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
    return (await this.#list('prompts/list', 'prompts', options)) as ListPromptsResult;
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
    const result = await this.#core.request('prompts/get', params, options);
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
    const result = await this.#core.request('completion/complete', params, options);
    if (typeof result.completion !== 'object' || result.completion === null) {
      throw new ProtocolError('completion/complete returned no completion object', { reason: 'invalid_message', cause: result });
    }
    return result as CompleteResult;
  }

  /**
   * Sets the server's log level; log lines arrive as `notifications/message` on `notification`.
   *
   * @example
   * ```ts
   * await client.setLoggingLevel('debug');
   * ```
   */
  async setLoggingLevel(level: LoggingLevel, options: RequestOptions = {}): Promise<void> {
    await this.#core.request('logging/setLevel', { level }, options);
  }

  /**
   * Pings the server; resolves with the round trip in ms.
   *
   * @example
   * ```ts
   * const ms = await client.ping();
   * ```
   */
  async ping(options: RequestOptions = {}): Promise<number> {
    const now = this.#core.options.now;
    if (this.#core.state !== 'ready') await this.#core.connectWithRetry(options.signal);
    const started = now();
    await this.#core.request('ping', undefined, options);
    return now() - started;
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

  /** Cached annotations, or one shared tools/list to learn them (the list was invalidated meanwhile). */
  #annotationsOf(name: string): ToolAnnotations | undefined | Promise<ToolAnnotations | undefined> {
    if (this.#catalog.tools || this.#catalogUnavailable) return this.#catalog.annotationsOf(name);
    return this.#learnTools().then(() => this.#catalog.annotationsOf(name));
  }

  /**
   * One tools/list shared by every caller waiting for the catalog. A JSON-RPC error (the server offers no
   * tools/list) marks the catalog unavailable instead of failing the call; anything else (server down,
   * client closed) is the call's failure too and propagates.
   */
  #learnTools(): Promise<void> {
    this.#learning ??= this.listTools()
      .then(
        () => undefined,
        (error: unknown) => {
          if (!(error instanceof RpcError)) throw error;
          this.#catalogUnavailable = true;
        },
      )
      .finally(() => {
        this.#learning = undefined;
      });
    return this.#learning;
  }

  #onNotification(notification: JsonRpcNotification): void {
    if (notification.method === 'notifications/tools/list_changed') {
      this.#catalog.invalidate();
      this.#catalogUnavailable = false;
    }
  }

  #list(method: string, key: string, options: ListOptions): Promise<Record<string, unknown>> {
    return listPages((params) => this.#core.request(method, params, options), method, key, options.cursor);
  }

  /** After a re-initialize the server may be a new version with other tools: fetch the list again. */
  #refreshToolCache(): void {
    this.#catalogUnavailable = false;
    if (this.#catalog.tools === undefined) return;
    // The old list stays until the new one arrives, so replay decisions keep their annotations meanwhile.
    this.listTools({ refresh: true }).catch(() => {
      // The next listTools() call fetches again; a failure here must not outlive the recovery.
    });
  }
}

/** Waits for shared work, but lets one caller's signal end its own wait (the work goes on for the others). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) {
    work.catch(() => {}); // the others waiting on it handle its outcome; this caller has left
    return Promise.reject(new AbortError(undefined, { cause: signal.reason }));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AbortError(undefined, { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function describeContent(result: CallToolResult): string {
  const first = result.content[0];
  return first && first.type === 'text' ? first.text.slice(0, 200) : 'isError: true';
}
