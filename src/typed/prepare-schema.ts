/**
 * Cleans a server's tool schema before json-schema-to-typescript sees it. Returns a copy; the input is not
 * modified.
 *
 * - Every `$ref` that leaves the document (`file:`, `http:`, relative paths) becomes an untyped schema: a
 *   server must not make `archon-mcp types` read local files or call other hosts.
 * - The root loses `title` and `$id`, which the converter would prefer over the name we give the type.
 * - Sub-schemas that are not objects lose `title`: pydantic (FastMCP) titles every property
 *   (`"query": {"title": "Query", "type": "string"}`), and the converter would declare
 *   `type Query = string` for each one instead of writing `query: string`.
 */

type JsonObject = Record<string, unknown>;

/** Keywords whose value is one sub-schema. */
const SCHEMA_KEYWORDS = [
  'additionalProperties',
  'unevaluatedProperties',
  'propertyNames',
  'items',
  'additionalItems',
  'unevaluatedItems',
  'contains',
  'not',
  'if',
  'then',
  'else',
] as const;
/** Keywords whose value is an array of sub-schemas (`items` too, in draft-07 tuple form). */
const SCHEMA_ARRAY_KEYWORDS = ['allOf', 'anyOf', 'oneOf', 'prefixItems', 'items'] as const;
/** Keywords whose value maps names to sub-schemas; their keys are names, never keywords. */
const SCHEMA_MAP_KEYWORDS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'] as const;

/**
 * @example
 * ```ts
 * prepareSchemaForTypes({ title: 'Args', type: 'object', properties: { q: { title: 'Q', type: 'string' } } });
 * // { type: 'object', properties: { q: { type: 'string' } } }
 * ```
 */
export function prepareSchemaForTypes(schema: JsonObject): JsonObject {
  // One deep copy up front: the converter mutates what it is given (it adds `$id`s and `minItems`).
  const { title: _title, $id: _id, ...root } = prepareNode(structuredClone(schema));
  return root;
}

/** Rewrites `schema` in place (it is our copy) and returns it, or its replacement for an external `$ref`. */
function prepareNode(schema: JsonObject): JsonObject {
  if (typeof schema.$ref === 'string' && !schema.$ref.startsWith('#')) {
    // `tsType` is the converter's escape hatch for "emit this TypeScript type verbatim".
    return { tsType: 'unknown', description: `Typed as unknown: the external $ref ${JSON.stringify(schema.$ref)} is not followed.` };
  }
  for (const keyword of SCHEMA_KEYWORDS) {
    const value = schema[keyword];
    if (isJsonObject(value)) schema[keyword] = prepareSubSchema(value);
  }
  for (const keyword of SCHEMA_ARRAY_KEYWORDS) {
    const value = schema[keyword];
    if (Array.isArray(value)) schema[keyword] = value.map((item: unknown) => (isJsonObject(item) ? prepareSubSchema(item) : item));
  }
  for (const keyword of SCHEMA_MAP_KEYWORDS) {
    const value = schema[keyword];
    if (!isJsonObject(value)) continue;
    for (const [name, item] of Object.entries(value)) {
      if (isJsonObject(item)) value[name] = prepareSubSchema(item);
    }
  }
  return schema;
}

function prepareSubSchema(schema: JsonObject): JsonObject {
  const prepared = prepareNode(schema);
  if (!isObjectSchema(prepared)) delete prepared.title;
  return prepared;
}

function isObjectSchema(schema: JsonObject): boolean {
  return schema.type === 'object' || isJsonObject(schema.properties);
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
