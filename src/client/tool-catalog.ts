/**
 * What the client knows about the server's tools: the cached `tools/list`, used to reject unknown tool
 * names before sending, to validate structured output against `outputSchema` (spec 2025-06-18
 * "Structured Content": clients SHOULD validate), and to read replay-safety annotations.
 */
import type { CallToolResult, Tool, ToolAnnotations } from '@modelcontextprotocol/client';
import { OutputValidationError } from '../errors';
import type { ParamHeader } from '../transport/mcp-headers';
import { createUnknownToolError } from '../typed/tool-errors';
import { type OutputValidator, createOutputValidator } from '../typed/validate-output';

/**
 * The tool cache of one client. Empty until the first `listTools()`; checks are skipped while empty.
 *
 * @example
 * ```ts
 * const catalog = new ToolCatalog();
 * catalog.replace(tools);
 * catalog.assertKnown('echo');
 * ```
 */
export class ToolCatalog {
  #tools: Tool[] | undefined;
  #byName: Map<string, Tool> | undefined;
  #paramHeaders: ReadonlyMap<string, readonly ParamHeader[]> | undefined;
  #validator: OutputValidator | undefined;

  /** The cached list, if fetched and not invalidated. */
  get tools(): Tool[] | undefined {
    return this.#tools;
  }

  /** Stores a freshly fetched list, with the `x-mcp-header` parameters of its tools (modern era). */
  replace(tools: Tool[], paramHeaders?: ReadonlyMap<string, readonly ParamHeader[]>): void {
    this.#tools = tools;
    this.#byName = new Map(tools.map((tool) => [tool.name, tool]));
    this.#paramHeaders = paramHeaders;
  }

  /** Forgets the list (e.g. on `notifications/tools/list_changed`). */
  invalidate(): void {
    this.#tools = undefined;
    this.#byName = undefined;
    this.#paramHeaders = undefined;
  }

  /** The parameters `name` mirrors into `Mcp-Param-*` headers (empty when none or unknown). */
  paramHeadersOf(name: string): readonly ParamHeader[] {
    return this.#paramHeaders?.get(name) ?? [];
  }

  /** The cached definition of one tool. */
  get(name: string): Tool | undefined {
    return this.#byName?.get(name);
  }

  /** The tool's annotations, when the list is cached. */
  annotationsOf(name: string): ToolAnnotations | undefined {
    return this.#byName?.get(name)?.annotations;
  }

  /** Throws UnknownToolError (with suggestions) when the list is cached and lacks `name`. */
  assertKnown(name: string): void {
    if (!this.#byName || this.#byName.has(name)) return;
    throw createUnknownToolError(name, [...this.#byName.keys()]);
  }

  /** Throws OutputValidationError when the tool declares an outputSchema and the result breaks it. */
  async validateOutput(name: string, result: CallToolResult): Promise<void> {
    const schema = this.#byName?.get(name)?.outputSchema;
    if (schema === undefined || result.isError === true) return;
    this.#validator ??= createOutputValidator();
    const issues = await this.#validator.validate(schema, result.structuredContent);
    if (issues.length === 0) return;
    const first = issues[0];
    throw new OutputValidationError(`Tool ${name} returned output that breaks its outputSchema (${first?.path || '/'}: ${first?.message})`, {
      toolName: name,
      issues,
      result,
    });
  }
}
