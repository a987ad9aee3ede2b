/**
 * Runtime check of a tool's `structuredContent` against its `outputSchema` (MCP 2025-06-18, "Structured
 * Content": clients SHOULD validate structured results against the output schema).
 *
 * Why ajv rather than a small hand-written validator: tool schemas come from zod, pydantic and hand-written
 * JSON, and use `$ref`/`$defs`, `anyOf`/`oneOf`, `format`, `pattern` and `prefixItems`. A subset validator
 * would accept broken output for exactly the schemas people rely on. ajv is already in the install tree
 * (the MCP SDK depends on it) but it is large (~120 kB of JS), so it is imported on the first validation
 * only: code that never sees an `outputSchema` never loads it. Compiled validators are cached per schema
 * object, so the hot path after the first call is one WeakMap lookup and the generated validate function.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { OutputValidationIssue } from '../errors/index';
import { type SafeRegExpEngine, createSafeRegExpEngine } from './safe-regexp';
import { uniqueItemsKeyword } from './unique-items';

/**
 * A JSON Schema object as it arrives in `tools/list` (`Tool['outputSchema']`).
 *
 * @example
 * ```ts
 * const schema: JsonSchemaObject = { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] };
 * ```
 */
export type JsonSchemaObject = Record<string, unknown>;

/**
 * Options of {@link createOutputValidator}.
 *
 * @example
 * ```ts
 * const validator = createOutputValidator({ maxIssues: 5 } satisfies OutputValidatorOptions);
 * ```
 */
export interface OutputValidatorOptions {
  /**
   * Most issues reported for one value; `anyOf` and large arrays can otherwise produce hundreds.
   * @default 20
   */
  maxIssues?: number;
}

const OUTPUT_VALIDATOR_DEFAULTS = { maxIssues: 20 } as const satisfies Required<OutputValidatorOptions>;

/**
 * Checks structured tool output. Create one per client; it caches compiled schemas.
 *
 * @example
 * ```ts
 * const validator: OutputValidator = createOutputValidator();
 * const issues = await validator.validate({ type: 'object', required: ['id'] }, { id: 1 }); // []
 * ```
 */
export interface OutputValidator {
  /** Issues found in `value`, or an empty array when it conforms. Never throws for bad data or bad schemas. */
  validate(schema: JsonSchemaObject, value: unknown): Promise<readonly OutputValidationIssue[]>;
}

/**
 * Creates a validator that loads ajv on first use and compiles each schema object once.
 *
 * Dialect: a `$schema` naming draft-04/06/07 selects ajv's draft-07 engine; anything else (including no
 * `$schema`, the MCP default) selects JSON Schema 2020-12.
 *
 * @example
 * ```ts
 * const validator = createOutputValidator();
 * const issues = await validator.validate(tool.outputSchema, result.structuredContent);
 * if (issues.length > 0) throw new OutputValidationError(`${tool.name} returned invalid output`, { toolName: tool.name, issues, result });
 * ```
 */
export function createOutputValidator(options: OutputValidatorOptions = {}): OutputValidator {
  const maxIssues = options.maxIssues ?? OUTPUT_VALIDATOR_DEFAULTS.maxIssues;
  if (!Number.isInteger(maxIssues) || maxIssues < 1) {
    throw new TypeError(`Expected \`maxIssues\` to be a positive integer, got ${String(maxIssues)}`);
  }
  const compiled = new WeakMap<JsonSchemaObject, CompiledSchema>();
  let engines: Promise<Engines> | undefined;

  return {
    async validate(schema, value) {
      if (value === undefined) {
        return [{ path: '', message: 'is missing: the tool declares an outputSchema but returned no structuredContent' }];
      }
      let entry = compiled.get(schema);
      if (entry === undefined) {
        engines ??= loadEngines();
        entry = compileSchema(await engines, schema);
        compiled.set(schema, entry);
      }
      if ('compileError' in entry) return [{ path: '', message: entry.compileError }];
      const { regExp } = await (engines ??= loadEngines());
      regExp.beginValidation();
      let valid: boolean;
      try {
        valid = entry.check(value) as boolean;
      } catch (error) {
        // The generated code recurses with the data (recursive `$ref`s): data nested deeper than the stack is refused.
        if (error instanceof RangeError) return [{ path: '', message: 'is nested too deeply to be checked against the outputSchema' }];
        throw error;
      }
      if (valid) return [];
      return toIssues(entry.check.errors ?? [], maxIssues);
    },
  };
}

type CompiledSchema = { check: ValidateFunction } | { compileError: string };

interface Engines {
  draft07: { compile(schema: JsonSchemaObject): ValidateFunction };
  draft2020: { compile(schema: JsonSchemaObject): ValidateFunction };
  regExp: SafeRegExpEngine;
}

const LEGACY_DIALECT = /json-schema\.org\/draft-0[4-7]\/schema/;

async function loadEngines(): Promise<Engines> {
  const [{ Ajv }, { Ajv2020 }, formats, { RE2JS }] = await Promise.all([
    import('ajv'),
    import('ajv/dist/2020.js'),
    import('ajv-formats'),
    import('re2js'),
  ]);
  const regExp = createSafeRegExpEngine(RE2JS);
  // validateSchema: servers send schemas we cannot fix, and a meta-schema mismatch is not the caller's problem.
  // addUsedSchema: two tools may reuse one `$id`; registering ids globally would make the second compile throw.
  // logger: an unknown `format` must not print to the user's console (STYLE.md 15).
  // code.regExp: the server's patterns run on RE2 under budgets, never on V8's backtracking engine (issue 9).
  const settings = {
    strict: false,
    allErrors: true,
    validateSchema: false,
    addUsedSchema: false,
    logger: false,
    code: { regExp: regExp.engine },
  } as const;
  const addFormats = formats.default;
  const draft07 = new Ajv(settings);
  const draft2020 = new Ajv2020(settings);
  for (const ajv of [draft07, draft2020]) {
    addFormats(ajv);
    // ajv compares non-scalar items pairwise (O(n^2): a 16 MB array of small objects never finishes).
    ajv.removeKeyword('uniqueItems');
    ajv.addKeyword(uniqueItemsKeyword);
  }
  return { draft07, draft2020, regExp };
}

function compileSchema(engines: Engines, schema: JsonSchemaObject): CompiledSchema {
  const dialect = typeof schema.$schema === 'string' && LEGACY_DIALECT.test(schema.$schema) ? 'draft07' : 'draft2020';
  engines.regExp.beginCompile();
  try {
    return { check: engines[dialect].compile(schema) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { compileError: `the tool's outputSchema cannot be compiled, so the output cannot be checked: ${reason}` };
  }
}

function toIssues(errors: readonly ErrorObject[], maxIssues: number): OutputValidationIssue[] {
  const issues: OutputValidationIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const issue = toIssue(error);
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
    if (issues.length === maxIssues) break;
  }
  return issues;
}

function toIssue(error: ErrorObject): OutputValidationIssue {
  const params: Record<string, unknown> = error.params;
  // ajv reports a missing or extra property at the parent object; point at the property itself instead.
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
    return { path: `${error.instancePath}/${escapePointerToken(params.missingProperty)}`, message: 'is required' };
  }
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    return {
      path: `${error.instancePath}/${escapePointerToken(params.additionalProperty)}`,
      message: 'is not declared in the schema (additionalProperties is false)',
    };
  }
  let message = error.message ?? `fails "${error.keyword}"`;
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    message += `: ${params.allowedValues.map((allowed) => JSON.stringify(allowed)).join(', ')}`;
  }
  return { path: error.instancePath, message };
}

/** RFC 6901 section 3: `~` and `/` inside a reference token are escaped as `~0` and `~1`. */
function escapePointerToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}
