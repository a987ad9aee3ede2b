/**
 * The request metadata headers of the 2026-07-28 era (spec basic/transports/streamable-http "Request
 * Metadata", SEP-2243): `Mcp-Method` on every POST, `Mcp-Name` for tools/call, resources/read and prompts/get,
 * and `Mcp-Param-{Name}` for tool parameters marked `x-mcp-header`, with the spec's value encoding. Pure
 * functions: the wire edge calls them, nothing here sends anything.
 */

/** Where `Mcp-Name` comes from, per method. */
const NAME_SOURCE: Readonly<Record<string, 'name' | 'uri'>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
};

const SENTINEL = /^=\?base64\?.*\?=$/s;
/** Visible ASCII and space (RFC 9110 field values); tab is encoded too, as the conformance suite expects. */
const PLAIN = /^[\x20-\x7e]*$/;
/** RFC 9110 5.1 `tchar`. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function base64Utf8(value: string): string {
  const bytes = new TextEncoder().encode(value);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * Encodes one header value (spec "Value Encoding"): plain when it is visible ASCII without leading or trailing
 * whitespace, else `=?base64?{UTF-8 base64}?=`; a plain value that looks like the sentinel is encoded too.
 *
 * @example
 * ```ts
 * encodeHeaderValue('us-west1');    // 'us-west1'
 * encodeHeaderValue('Hello, 世界'); // '=?base64?SGVsbG8sIOS4lueVjA==?='
 * ```
 */
export function encodeHeaderValue(value: string): string {
  const plain = PLAIN.test(value) && value.trim() === value && !SENTINEL.test(value);
  return plain ? value : `=?base64?${base64Utf8(value)}?=`;
}

/**
 * The `Mcp-Name` value of a request, when its method has one.
 *
 * @example
 * ```ts
 * mcpNameOf('resources/read', { uri: 'file:///a b' }); // 'file:///a b'
 * ```
 */
export function mcpNameOf(method: string, params: Record<string, unknown> | undefined): string | undefined {
  const source = NAME_SOURCE[method];
  const value = source === undefined ? undefined : params?.[source];
  return typeof value === 'string' ? encodeHeaderValue(value) : undefined;
}

/**
 * One parameter a tool mirrors into a header.
 *
 * @example
 * ```ts
 * const spec: ParamHeader = { header: 'mcp-param-region', path: ['region'] };
 * ```
 */
export interface ParamHeader {
  /** The full header name, lower-case: `mcp-param-{name}`. */
  readonly header: string;
  /** The chain of `properties` keys from the schema root to the parameter. */
  readonly path: readonly string[];
}

/**
 * The outcome of checking a tool's `x-mcp-header` annotations.
 *
 * @example
 * ```ts
 * const check = paramHeadersOf(tool.inputSchema);
 * if (!check.ok) console.warn(tool.name, check.reason);
 * ```
 */
export type ParamHeaderCheck = { readonly ok: true; readonly headers: readonly ParamHeader[] } | { readonly ok: false; readonly reason: string };

const PRIMITIVE_TYPES: ReadonlySet<string> = new Set(['string', 'integer', 'boolean']);
/** Keywords whose sub-schemas are not statically reachable by `properties` keys alone. */
const UNREACHABLE_KEYWORDS = ['items', 'prefixItems', 'additionalItems', 'contains', 'additionalProperties', 'patternProperties', 'oneOf', 'anyOf', 'allOf', 'not', 'if', 'then', 'else', '$defs', 'definitions', 'dependentSchemas', 'unevaluatedProperties', 'unevaluatedItems', 'propertyNames'];
/** Deepest schema nesting inspected; a deeper schema is refused rather than walked (bounded work per tool). */
const MAX_DEPTH = 32;
const MAX_NODES = 10_000;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads and validates a tool's `x-mcp-header` annotations (spec "Schema Extension"): each value non-empty, an
 * RFC 9110 token, unique case-insensitively, on a `string`/`integer`/`boolean` property reachable from the
 * root through `properties` keys only. Any violation makes the whole tool invalid (the client MUST drop it).
 * `$ref`s are never followed: an annotation behind one is out of static reach and therefore invalid.
 *
 * @example
 * ```ts
 * paramHeadersOf({ type: 'object', properties: { region: { type: 'string', 'x-mcp-header': 'Region' } } });
 * // { ok: true, headers: [{ header: 'mcp-param-region', path: ['region'] }] }
 * ```
 */
export function paramHeadersOf(inputSchema: unknown): ParamHeaderCheck {
  const headers: ParamHeader[] = [];
  const seen = new Set<string>();
  let nodes = 0;
  const fail = (reason: string): ParamHeaderCheck => ({ ok: false, reason });

  // Returns a failure reason, or undefined. `reachable`: the node is on a pure `properties` chain.
  const walk = (node: unknown, path: string[], reachable: boolean, depth: number): string | undefined => {
    if (!isObject(node)) return undefined;
    if (++nodes > MAX_NODES || depth > MAX_DEPTH) return 'the inputSchema is too large or too deep to check its x-mcp-header annotations';
    if ('x-mcp-header' in node) {
      const name = node['x-mcp-header'];
      if (!reachable) return `x-mcp-header under ${path.join('.') || 'the root'} is not reachable through properties alone`;
      if (path.length === 0) return 'x-mcp-header on the inputSchema root, which is no parameter';
      if (typeof name !== 'string' || name === '') return `x-mcp-header at ${path.join('.')} is empty or not a string`;
      if (!TOKEN.test(name)) return `x-mcp-header ${JSON.stringify(name)} is not an HTTP token`;
      if (typeof node.type !== 'string' || !PRIMITIVE_TYPES.has(node.type)) {
        return `x-mcp-header ${JSON.stringify(name)} is on a parameter of type ${JSON.stringify(node.type)} (only string, integer, boolean)`;
      }
      const lower = name.toLowerCase();
      if (seen.has(lower)) return `x-mcp-header ${JSON.stringify(name)} is not unique (case-insensitively)`;
      seen.add(lower);
      headers.push({ header: `mcp-param-${lower}`, path: [...path] });
    }
    const properties = node.properties;
    if (isObject(properties)) {
      for (const [key, child] of Object.entries(properties)) {
        const reason = walk(child, [...path, key], reachable, depth + 1);
        if (reason !== undefined) return reason;
      }
    }
    for (const keyword of UNREACHABLE_KEYWORDS) {
      const value = node[keyword];
      const children = Array.isArray(value) ? value : isObject(value) && (keyword === '$defs' || keyword === 'definitions' || keyword === 'patternProperties' || keyword === 'dependentSchemas') ? Object.values(value) : [value];
      for (const child of children) {
        const reason = walk(child, path, false, depth + 1);
        if (reason !== undefined) return reason;
      }
    }
    return undefined;
  };
  const reason = walk(inputSchema, [], true, 0);
  return reason === undefined ? { ok: true, headers } : fail(reason);
}

/**
 * The `Mcp-Param-*` headers of one call: the value at each annotated path, converted (string as is, integer
 * in decimal, boolean as `true`/`false`) and encoded; null or absent values are omitted (spec "Client Behavior").
 *
 * @example
 * ```ts
 * paramHeaderValues([{ header: 'mcp-param-region', path: ['region'] }], { region: 'us-west1' });
 * // { 'mcp-param-region': 'us-west1' }
 * ```
 */
export function paramHeaderValues(specs: readonly ParamHeader[], args: unknown): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const { header, path } of specs) {
    let value: unknown = args;
    for (const key of path) value = isObject(value) ? value[key] : undefined;
    let text: string;
    if (typeof value === 'string') text = value;
    else if (typeof value === 'boolean') text = value ? 'true' : 'false';
    else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
    else continue;
    (out ??= {})[header] = encodeHeaderValue(text);
  }
  return out;
}
