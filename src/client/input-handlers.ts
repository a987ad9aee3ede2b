/**
 * What the server may ask of the client (elicitation, sampling, roots) goes to one set of typed handlers in
 * both eras: legacy servers send them as server->client requests (spec 2025-11-25), modern servers embed them
 * in an `input_required` result (spec 2026-07-28 basic/patterns/mrtr). Each answer is checked against the
 * official SDK's schema (`@modelcontextprotocol/core`, loaded on first use, never by the root entry) before it
 * leaves the process, and an accepted form elicitation gets the requested schema's defaults (SEP-1034).
 */
import type {
  ClientCapabilities,
  CreateMessageRequest,
  CreateMessageResult,
  CreateMessageResultWithTools,
  ElicitRequest,
  ElicitResult,
  ListRootsRequest,
  ListRootsResult,
} from '@modelcontextprotocol/client';
import { InputRoundError } from '../errors';
import type { ProtocolEra } from '../session/era';

/**
 * What a handler is told besides the server's params.
 *
 * @example
 * ```ts
 * const elicitation = (params: ElicitRequest['params'], context: InputHandlerContext) => askUser(params, context.signal);
 * ```
 */
export interface InputHandlerContext {
  /** The era the request came in: a legacy server->client request or a modern `input_required` round. */
  readonly era: ProtocolEra;
  /** Aborts when the call that needs the input ends (modern), or the client closes. */
  readonly signal: AbortSignal | undefined;
}

type Handler<Params, Result> = (params: Params, context: InputHandlerContext) => Result | Promise<Result>;

/**
 * Typed answers to what the server asks of the client (the `handlers` option). The client declares the matching
 * capabilities itself (`elicitation.form` with `applyDefaults`, `sampling`, `roots` with `listChanged`).
 *
 * @example
 * ```ts
 * const handlers: InputHandlers = {
 *   elicitation: async ({ message }) => ({ action: 'accept', content: { confirm: await ask(message) } }),
 *   roots: () => ({ roots: [{ uri: 'file:///workspace', name: 'workspace' }] }),
 * };
 * ```
 */
export interface InputHandlers {
  /** `elicitation/create`: ask the user; return accept (with content), decline or cancel. */
  elicitation?: Handler<ElicitRequest['params'], ElicitResult>;
  /** `sampling/createMessage`: run the model (deprecated in 2026-07-28, still served). */
  sampling?: Handler<CreateMessageRequest['params'], CreateMessageResult | CreateMessageResultWithTools>;
  /** `roots/list`: the roots the server may work in (deprecated in 2026-07-28, still served). */
  roots?: Handler<ListRootsRequest['params'], ListRootsResult>;
}

/** The wire method of each handler. */
export const INPUT_METHODS = { 'elicitation/create': 'elicitation', 'sampling/createMessage': 'sampling', 'roots/list': 'roots' } as const;

type InputMethod = keyof typeof INPUT_METHODS;

/**
 * True for the methods the typed handlers answer.
 *
 * @example
 * ```ts
 * isInputMethod('roots/list'); // true
 * ```
 */
export function isInputMethod(method: string): method is InputMethod {
  return Object.hasOwn(INPUT_METHODS, method);
}

/**
 * The capabilities to declare: the user's, plus one per handler the user did not describe already.
 *
 * @example
 * ```ts
 * capabilitiesWithHandlers({}, { roots: () => ({ roots: [] }) }); // { roots: { listChanged: true } }
 * ```
 */
export function capabilitiesWithHandlers(capabilities: ClientCapabilities, handlers: InputHandlers): ClientCapabilities {
  const derived: ClientCapabilities = {};
  if (handlers.elicitation) derived.elicitation = { form: { applyDefaults: true } };
  if (handlers.sampling) derived.sampling = {};
  if (handlers.roots) derived.roots = { listChanged: true };
  return { ...derived, ...capabilities };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * SEP-1034: an accepted form elicitation gets the `default` of every requested property it left out.
 *
 * @example
 * ```ts
 * withElicitationDefaults({ requestedSchema: { type: 'object', properties: { n: { type: 'integer', default: 3 } } } }, { action: 'accept', content: {} });
 * // { action: 'accept', content: { n: 3 } }
 * ```
 */
export function withElicitationDefaults(params: unknown, result: unknown): unknown {
  if (!isRecord(params) || !isRecord(result) || result.action !== 'accept') return result;
  const properties = isRecord(params.requestedSchema) ? params.requestedSchema.properties : undefined;
  if (!isRecord(properties)) return result;
  const content: Record<string, unknown> = isRecord(result.content) ? { ...result.content } : {};
  let filled = false;
  for (const [name, property] of Object.entries(properties)) {
    if (!isRecord(property) || !('default' in property) || Object.hasOwn(content, name)) continue;
    content[name] = structuredClone(property.default);
    filled = true;
  }
  return filled ? { ...result, content } : result;
}

type CoreModule = typeof import('@modelcontextprotocol/core');
let core: Promise<CoreModule> | undefined;

/** The SDK's zod schemas, loaded once, on the first answer (zod is ~0.1 MB the root entry never pays for). */
function loadCore(): Promise<CoreModule> {
  core ??= import('@modelcontextprotocol/core');
  return core;
}

async function checkResult(method: InputMethod, params: Record<string, unknown>, result: unknown): Promise<void> {
  const schemas = await loadCore();
  const schema =
    method === 'elicitation/create'
      ? schemas.ElicitResultSchema
      : method === 'roots/list'
        ? schemas.ListRootsResultSchema
        : Array.isArray(params.tools)
          ? schemas.CreateMessageResultWithToolsSchema
          : schemas.CreateMessageResultSchema;
  const parsed = schema.safeParse(result);
  if (parsed.success) return;
  const issue = parsed.error.issues[0];
  throw new InputRoundError(`The ${INPUT_METHODS[method]} handler returned a result that breaks the ${method} result schema (${issue?.path.join('.') || '/'}: ${issue?.message})`, {
    reason: 'invalid_response',
    method,
    cause: parsed.error,
  });
}

/**
 * Runs the handler for one input request and returns its checked result. Rejects with `InputRoundError`:
 * `no_handler`, `invalid_request` (params not an object), `handler_failed` (the handler threw), `invalid_response`.
 *
 * @example
 * ```ts
 * const result = await fulfilInputRequest('roots/list', {}, handlers, { era: 'modern', signal });
 * ```
 */
export async function fulfilInputRequest(method: string, params: unknown, handlers: InputHandlers, context: InputHandlerContext): Promise<Record<string, unknown>> {
  if (!isInputMethod(method)) throw new InputRoundError(`The server asked for ${JSON.stringify(method).slice(0, 80)}, which is no input request`, { reason: 'invalid_request', method });
  const handler = handlers[INPUT_METHODS[method]] as Handler<unknown, unknown> | undefined;
  if (handler === undefined) {
    throw new InputRoundError(`The server asked for ${method} but the client has no ${INPUT_METHODS[method]} handler`, { reason: 'no_handler', method });
  }
  const given = params === undefined ? {} : params;
  if (!isRecord(given)) throw new InputRoundError(`The server sent ${method} params that are not an object`, { reason: 'invalid_request', method });
  let result: unknown;
  try {
    result = await handler(given, context);
  } catch (error) {
    throw new InputRoundError(`The ${INPUT_METHODS[method]} handler failed: ${error instanceof Error ? error.message : String(error)}`, { reason: 'handler_failed', method, cause: error });
  }
  if (method === 'elicitation/create') result = withElicitationDefaults(given, result);
  await checkResult(method, given, result);
  return result as Record<string, unknown>;
}
