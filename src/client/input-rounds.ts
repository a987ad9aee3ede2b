/**
 * Multi round-trip requests (spec 2026-07-28 basic/patterns/mrtr, SEP-2322), fulfilled automatically: a
 * `tools/call`, `prompts/get` or `resources/read` answered `resultType: 'input_required'` is retried with the
 * handlers' `inputResponses` and the server's `requestState` echoed byte-exact. Each round is a new request
 * (a new JSON-RPC id, under the same retry and replay rules as any request), the state of one call never leaks
 * into another, the rounds are bounded by `maxInputRounds`, and the call's total timeout spans them all.
 * A result without `resultType` is complete (legacy servers never send one).
 */
import { InputRoundError, ProtocolError } from '../errors';
import { INPUT_ROUND_METHODS, type ProtocolEra } from '../session/era';
import { type InputHandlers, fulfilInputRequest } from './input-handlers';
import { untilAborted } from './until-aborted';

/** Input requests accepted in one round: a hostile server cannot make the client run handlers without bound. */
const MAX_REQUESTS_PER_ROUND = 32;

/**
 * What the rounds need.
 *
 * @example
 * ```ts
 * const options: InputRoundOptions = { handlers, maxRounds: 8, scope: callScope, era: () => 'modern', onRound: () => stats.inputRounds++ };
 * ```
 */
export interface InputRoundOptions {
  readonly handlers: InputHandlers;
  readonly maxRounds: number;
  /** The call's scope: ends a handler's wait when the call times out, is aborted or the client closes. */
  readonly scope: { readonly signal: AbortSignal };
  readonly era: () => ProtocolEra | undefined;
  /** Called before each retry with input (for the stats). */
  readonly onRound?: () => void;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function responsesFor(inputRequests: Record<string, unknown>, options: InputRoundOptions): Promise<Record<string, unknown>> {
  const entries = Object.entries(inputRequests);
  if (entries.length > MAX_REQUESTS_PER_ROUND) {
    throw new InputRoundError(`The server asked for ${entries.length} inputs at once (at most ${MAX_REQUESTS_PER_ROUND})`, { reason: 'invalid_request' });
  }
  const responses: Record<string, unknown> = {};
  const signal = options.scope.signal;
  const context = { era: options.era() ?? 'modern', signal };
  // One at a time, in the server's order: most handlers ask a person.
  for (const [key, request] of entries) {
    if (!isRecord(request) || typeof request.method !== 'string') {
      throw new InputRoundError(`The server's input request ${JSON.stringify(key).slice(0, 80)} has no method`, { reason: 'invalid_request' });
    }
    responses[key] = await untilAborted(fulfilInputRequest(request.method, request.params, options.handlers, context), signal);
  }
  return responses;
}

/**
 * Sends `params` and keeps answering `input_required` results until a complete one arrives.
 *
 * @example
 * ```ts
 * const result = await runInputRounds((params) => sendWithRetry(params), 'tools/call', { name: 'deploy', arguments: {} }, options);
 * ```
 */
export async function runInputRounds(
  send: (params: Record<string, unknown> | undefined) => Promise<Record<string, unknown>>,
  method: string,
  params: Record<string, unknown> | undefined,
  options: InputRoundOptions,
): Promise<Record<string, unknown>> {
  let result = await send(params);
  for (let round = 1; ; round++) {
    const resultType = result.resultType;
    if (resultType === undefined || resultType === 'complete') return result;
    if (resultType !== 'input_required' || !INPUT_ROUND_METHODS.has(method)) {
      throw new ProtocolError(`The server answered ${method} with resultType ${JSON.stringify(resultType).slice(0, 40)}, which this client cannot use`, {
        reason: 'invalid_message',
        cause: result,
      });
    }
    if (round > options.maxRounds) {
      throw new InputRoundError(`The server still asked for input after ${options.maxRounds} rounds (maxInputRounds)`, { reason: 'max_rounds' });
    }
    const { inputRequests, requestState } = result;
    if ((inputRequests !== undefined && !isRecord(inputRequests)) || (requestState !== undefined && typeof requestState !== 'string') || (inputRequests === undefined && requestState === undefined)) {
      throw new ProtocolError(`The server's input_required answer to ${method} is malformed`, { reason: 'invalid_message', cause: result });
    }
    // Built from the ORIGINAL params each round: responses and state of an earlier round never carry over.
    const next: Record<string, unknown> = { ...params };
    if (inputRequests !== undefined) next.inputResponses = await responsesFor(inputRequests, options);
    if (requestState !== undefined) next.requestState = requestState;
    options.onRound?.();
    result = await send(next);
  }
}
