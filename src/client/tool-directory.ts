/**
 * How MCPClient learns and keeps the server's tool list: one shared `tools/list` for every caller waiting
 * for it, invalidated by `notifications/tools/list_changed`, refreshed after a recovery or a -32020
 * HeaderMismatch. In the 2026-07-28 era each listed tool's `x-mcp-header` annotations are checked, and a
 * tool with an invalid one is dropped from the list with a logged warning (spec basic/transports/
 * streamable-http "Schema Extension": clients MUST exclude it, SHOULD log why).
 */
import type { CallToolResult, ListToolsResult, Tool } from '@modelcontextprotocol/client';
import { ProtocolError, RpcError, ToolCallError } from '../errors';
import type { ProtocolEra } from '../session/era';
import { type ParamHeader, paramHeaderValues, paramHeadersOf } from '../transport/mcp-headers';
import { type McpClientLogger, log } from './logger';
import type { ListToolsOptions } from './request-options';
import { ToolCatalog } from './tool-catalog';

/**
 * What the directory needs from the client.
 *
 * @example
 * ```ts
 * new ToolDirectory({ fetchTools: (options) => list('tools/list', options), era: () => core.era, logger: console });
 * ```
 */
export interface ToolDirectoryDeps {
  /** One `tools/list` (all pages unless `options.cursor`). */
  fetchTools(options: ListToolsOptions): Promise<ListToolsResult>;
  /** The era the tools are listed in: `x-mcp-header` matters only in the modern one. */
  era(): ProtocolEra | undefined;
  readonly logger: McpClientLogger | undefined;
}

/**
 * The tool list of one client.
 *
 * @example
 * ```ts
 * const directory = new ToolDirectory(deps);
 * await directory.learn();
 * directory.catalog.assertKnown('echo');
 * ```
 */
export class ToolDirectory {
  readonly catalog = new ToolCatalog();
  readonly #deps: ToolDirectoryDeps;
  #learning: Promise<void> | undefined;
  /**
   * Set when the server answered tools/list with a JSON-RPC error (no tools capability, say): calls then go
   * out unchecked until the tool list changes or the session is re-initialized.
   */
  #unavailable = false;

  constructor(deps: ToolDirectoryDeps) {
    this.#deps = deps;
  }

  /** True once the list was fetched (or found unavailable): calls need not wait for it. */
  get known(): boolean {
    return this.catalog.tools !== undefined || this.#unavailable;
  }

  /**
   * `listTools()`. Legacy: the catalog until `notifications/tools/list_changed` or `refresh`. Modern: the
   * response cache decides, by the server's `ttlMs` (the catalog is what calls are checked against meanwhile).
   * A `cursor` fetches one page, never stored in the catalog.
   *
   * @example
   * ```ts
   * const { tools } = await directory.list({});
   * ```
   */
  async list(options: ListToolsOptions): Promise<ListToolsResult> {
    if (options.cursor !== undefined) return this.#checked(await this.#deps.fetchTools(options)).result;
    const cached = this.catalog.tools;
    if (cached && !options.refresh && this.#deps.era() !== 'modern') return { tools: cached };
    const { result, paramHeaders } = this.#checked(await this.#deps.fetchTools(options));
    this.catalog.replace(result.tools, paramHeaders);
    return { tools: result.tools };
  }

  /** Drops tools whose `x-mcp-header` annotations are invalid (modern era only), keeping the server's order. */
  #checked(result: ListToolsResult): { result: ListToolsResult; paramHeaders: Map<string, readonly ParamHeader[]> | undefined } {
    if (this.#deps.era() !== 'modern') return { result, paramHeaders: undefined };
    const paramHeaders = new Map<string, readonly ParamHeader[]>();
    const kept: Tool[] = [];
    for (const tool of result.tools) {
      const check = paramHeadersOf(tool.inputSchema);
      if (!check.ok) {
        log(this.#deps.logger, 'warn', { toolName: tool.name, reason: check.reason }, 'Dropped a tool with an invalid x-mcp-header annotation');
        continue;
      }
      if (check.headers.length > 0) paramHeaders.set(tool.name, check.headers);
      kept.push(tool);
    }
    return { result: kept.length === result.tools.length ? result : { ...result, tools: kept }, paramHeaders };
  }

  /**
   * One tools/list shared by every caller waiting for the catalog. A JSON-RPC error (the server offers no
   * tools/list) marks the catalog unavailable instead of failing the call; anything else (server down,
   * client closed) is the call's failure too and propagates.
   *
   * @example
   * ```ts
   * if (!directory.known) await directory.learn();
   * ```
   */
  learn(): Promise<void> {
    this.#learning ??= this.list({})
      .then(
        () => undefined,
        (error: unknown) => {
          if (!(error instanceof RpcError)) throw error;
          this.#unavailable = true;
        },
      )
      .finally(() => {
        this.#learning = undefined;
      });
    return this.#learning;
  }

  /** Fetches the list again now, shared with a learning already under way. */
  refresh(): Promise<void> {
    this.catalog.invalidate();
    this.#unavailable = false;
    return this.learn();
  }

  /** Cached annotations, or one shared tools/list to learn them (the list was invalidated meanwhile). */
  annotationsOf(name: string): Tool['annotations'] | Promise<Tool['annotations']> {
    if (this.known) return this.catalog.annotationsOf(name);
    return this.learn().then(() => this.catalog.annotationsOf(name));
  }

  /** The `Mcp-Param-*` headers of a call to `name` with `args` (modern era; undefined when none). */
  paramHeaders(name: string, args: unknown): Readonly<Record<string, string>> | undefined {
    const specs = this.catalog.paramHeadersOf(name);
    return specs.length === 0 ? undefined : paramHeaderValues(specs, args);
  }

  /**
   * Checks a `tools/call` result: a content array (ProtocolError), `isError` (ToolCallError when `throwOnError`),
   * `structuredContent` against the tool's `outputSchema` (OutputValidationError).
   *
   * @example
   * ```ts
   * const toolResult = await directory.checkResult('echo', result, true);
   * ```
   */
  async checkResult(name: string, result: Record<string, unknown>, throwOnError: boolean): Promise<CallToolResult> {
    if (!Array.isArray(result.content)) {
      throw new ProtocolError(`The result of tool ${name} has no content array`, { reason: 'invalid_message', cause: result });
    }
    const toolResult = result as CallToolResult;
    if (toolResult.isError === true && throwOnError) {
      const first = toolResult.content[0];
      const detail = first?.type === 'text' ? first.text.slice(0, 200) : 'isError: true';
      throw new ToolCallError(`Tool ${name} reported an error: ${detail}`, { toolName: name, result: toolResult });
    }
    await this.catalog.validateOutput(name, toolResult);
    return toolResult;
  }

  /** `notifications/tools/list_changed`: forget the list; the next call fetches it. */
  invalidate(): void {
    this.catalog.invalidate();
    this.#unavailable = false;
  }

  /** After a recovery the server may be a new version with other tools: fetch the list again. */
  refreshAfterRecovery(): void {
    this.#unavailable = false;
    if (this.catalog.tools === undefined) return;
    // The old list stays until the new one arrives, so replay decisions keep their annotations meanwhile.
    this.list({ refresh: true }).catch(() => {
      // The next listTools() call fetches again; a failure here must not outlive the recovery.
    });
  }
}
