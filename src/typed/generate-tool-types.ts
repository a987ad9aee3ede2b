/**
 * `tools/list` -> a TypeScript module whose `Tools` type plugs into `MCPClient<Tools>` (see `tool-map.ts`).
 *
 * Each tool's `inputSchema`/`outputSchema` is compiled on its own by json-schema-to-typescript, so `$ref`s
 * resolve against the tool's own schema. The converter (and prettier, which it runs) is imported when this
 * function is called, never at module load, so the library's root entry does not pay for it.
 */
import type { Tool } from '@modelcontextprotocol/client';
import { interfacesToTypeAliases } from './interfaces-to-type-aliases';
import { prepareSchemaForTypes } from './prepare-schema';
import { isIdentifierName, NameRegistry, toPascalCase } from './type-names';

/**
 * Options of {@link generateToolTypes}.
 *
 * @example
 * ```ts
 * const options: GenerateToolTypesOptions = { source: 'http://localhost:8051/mcp', typeName: 'ServerTools' };
 * ```
 */
export interface GenerateToolTypesOptions {
  /**
   * Where the tools came from (a URL, a command); written into the header. Keep it stable: `--check` compares
   * whole files.
   * @default 'an MCP server'
   */
  source?: string;
  /**
   * Name of the exported tool map type.
   * @default 'Tools'
   */
  typeName?: string;
}

const GENERATE_DEFAULTS = { source: 'an MCP server', typeName: 'Tools' } as const satisfies Required<GenerateToolTypesOptions>;

type JsonSchema = Record<string, unknown>;
type Compile = (schema: JsonSchema, name: string, options: Record<string, unknown>) => Promise<string>;

/**
 * Generates the module text. Deterministic: tools sorted by name, names derived from tool names, no
 * timestamp, so regenerating an unchanged server yields an identical file.
 *
 * Object schemas without `additionalProperties` are typed closed (no index signature) so that a misspelt
 * argument or result field is a compile error; a schema that says `additionalProperties: true` gets one.
 *
 * @example
 * ```ts
 * const { tools } = await client.listTools();
 * await writeFile('mcp-tools.d.ts', await generateToolTypes(tools, { source: url }));
 * // then: new MCPClient<Tools>({ url })
 * ```
 */
export async function generateToolTypes(tools: readonly Tool[], options: GenerateToolTypesOptions = {}): Promise<string> {
  const source = options.source ?? GENERATE_DEFAULTS.source;
  const typeName = options.typeName ?? GENERATE_DEFAULTS.typeName;
  if (!isIdentifierName(typeName)) {
    throw new TypeError(`Expected \`typeName\` to be a TypeScript identifier, got ${JSON.stringify(typeName)}`);
  }
  const sorted = sortUniqueTools(tools);
  const compile = await loadCompiler();

  const names = new NameRegistry();
  names.claim(typeName);
  // Claim every root name before compiling anything, so a nested `$defs` name can never take a tool's root name.
  const roots = sorted.map((tool) => {
    const base = names.claim(toPascalCase(tool.name));
    return {
      tool,
      base,
      args: names.claim(`${base}Args`),
      result: tool.outputSchema === undefined ? undefined : names.claim(`${base}Result`),
    };
  });

  const entries: string[] = [];
  const declarations: string[] = [];
  // Arguments of a tool that takes none get a type whose excess-property error names the tool's type
  // ("'verbose' does not exist in type 'HealthCheckArgs'") instead of "not assignable to type 'never'".
  const noArguments = names.claim(NO_ARGUMENTS);
  for (const root of roots) {
    entries.push(renderMapEntry(root.tool, root.args, root.result));
    declarations.push(await compileSchema(compile, root.tool.inputSchema, root.args, root.base, names, noArguments));
    if (root.result !== undefined && root.tool.outputSchema !== undefined) {
      declarations.push(await compileSchema(compile, root.tool.outputSchema, root.result, root.base, names));
    }
  }
  const usesNoArguments = declarations.some((declaration) => declaration.includes(`= ${noArguments};`));

  return [
    renderHeader(source, typeName),
    `export type ${typeName} = {\n${entries.join('\n')}\n};\n`,
    ...(usesNoArguments ? [renderNoArguments(noArguments)] : []),
    ...declarations,
  ].join('\n');
}

function sortUniqueTools(tools: readonly Tool[]): Tool[] {
  const seen = new Set<string>();
  for (const tool of tools) {
    if (seen.has(tool.name)) throw new TypeError(`Expected unique tool names, got ${JSON.stringify(tool.name)} twice`);
    seen.add(tool.name);
  }
  // Code-unit order, not localeCompare: the output must not depend on the machine's locale.
  return [...tools].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function loadCompiler(): Promise<Compile> {
  try {
    const converter = await import('json-schema-to-typescript');
    return (schema, name, options) => converter.compile(schema, name, options);
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
    throw new Error(
      missing
        ? 'Generating tool types needs the package json-schema-to-typescript; install it with `npm install --save-dev json-schema-to-typescript`'
        : `Could not load json-schema-to-typescript: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

const NO_ARGUMENTS = 'NoArguments';

/** A module-local symbol key: the type admits `{}` only, and TypeScript's error for extras is readable. */
function renderNoArguments(name: string): string {
  return [
    `declare const ${toCamelCase(name)}: unique symbol;`,
    '',
    `/** Arguments of a tool whose inputSchema declares none: pass \`{}\`. */`,
    `export type ${name} = { readonly [${toCamelCase(name)}]?: never };`,
    '',
  ].join('\n');
}

function toCamelCase(name: string): string {
  return `${name.charAt(0).toLowerCase()}${name.slice(1)}`;
}

async function compileSchema(
  compile: Compile,
  schema: JsonSchema,
  rootName: string,
  prefix: string,
  names: NameRegistry,
  emptyObjectType?: string,
): Promise<string> {
  const root = prepareSchemaForTypes(schema);
  const named = new WeakMap<object, string>();
  const compiled = await compile(root, rootName, {
    bannerComment: '',
    additionalProperties: false,
    unknownAny: true,
    format: true,
    strictIndexSignatures: false,
    // Belt and braces with prepareSchemaForTypes: never fetch or read anything a server's schema points at.
    $refOptions: { resolve: { external: false, file: false, http: false } },
    customName: (sub: JsonSchema, keyNameFromDefinition: string | undefined) => {
      const label = nestedLabel(sub, keyNameFromDefinition, rootName);
      if (label === undefined) return undefined;
      const existing = named.get(sub);
      if (existing !== undefined) return existing;
      const name = names.claim(`${prefix}${toPascalCase(label)}`);
      named.set(sub, name);
      return name;
    },
  });
  // One blank line between declarations, as in the rest of the module (the converter packs nested ones).
  return interfacesToTypeAliases(compiled, emptyObjectType).replaceAll(';\nexport ', ';\n\nexport ');
}

/** The label of a sub-schema that json-schema-to-typescript will declare separately, or undefined if inline. */
function nestedLabel(schema: JsonSchema, keyNameFromDefinition: string | undefined, rootName: string): string | undefined {
  if (typeof schema.title === 'string' && schema.title !== '') return schema.title;
  if (keyNameFromDefinition !== undefined) return keyNameFromDefinition;
  // The converter gives the root `$id = rootName` and `$ref` targets `$id = <last pointer segment>`.
  if (typeof schema.$id !== 'string' || schema.$id === rootName) return undefined;
  return schema.$id.split(/[/#]/).findLast((segment) => segment !== '')?.replace(/\.json$/, '');
}

function renderHeader(source: string, typeName: string): string {
  return [
    '/**',
    ` * MCP tool types generated by \`archon-mcp types\` from ${escapeComment(source)}.`,
    ' * Do not edit by hand: regenerate with the same command (`--check` reports a stale file).',
    ' *',
    ` * Usage: \`new MCPClient<${typeName}>({ url })\`, then \`callTool\` checks argument names and types and`,
    ' * types `structuredContent` (present on every result of a tool with an outputSchema).',
    ' */',
    '',
  ].join('\n');
}

function renderMapEntry(tool: Tool, argsName: string, resultName: string | undefined): string {
  const key = isIdentifierName(tool.name) ? tool.name : JSON.stringify(tool.name);
  const docLines: string[] = [];
  const title = tool.title ?? tool.annotations?.title;
  if (title !== undefined) docLines.push(title, '');
  // A loop, not push(...lines): a server's description of ~10^5 lines would overflow the stack (issue 9).
  if (tool.description !== undefined && tool.description.trim() !== '') for (const line of tool.description.trim().split('\n')) docLines.push(line);
  const hints = Object.entries(tool.annotations ?? {})
    .filter(([name, value]) => name.endsWith('Hint') && value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}: ${String(value)}`);
  if (hints.length > 0) docLines.push(...(docLines.length > 0 ? [''] : []), `Annotations: ${hints.join(', ')}`);
  if (tool.outputSchema === undefined) docLines.push(...(docLines.length > 0 ? [''] : []), 'No outputSchema: the result carries no typed `structuredContent`.');

  const doc = docLines.length === 0 ? '' : `  /**\n${docLines.map((line) => `   *${line === '' ? '' : ` ${escapeComment(line)}`}`).join('\n')}\n   */\n`;
  return `${doc}  ${key}: {\n    args: ${argsName};\n    result: ${resultName ?? 'undefined'};\n  };`;
}

/** A `*\/` inside a description would end the doc comment early and break the generated file. */
function escapeComment(text: string): string {
  return text.replaceAll('*/', '*\\/').trimEnd();
}
