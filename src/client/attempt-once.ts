/**
 * One attempt of one request, and what a failure of it means for the next (the classes of
 * `classifyFailure`, one policy for both eras): a lost session or era is recovered before the resend, a stale
 * tool list re-listed, a lost answer resumed (legacy, an event id was seen) or re-issued under a new id when
 * replay-safe; otherwise the caller gets `MaybeExecutedError` at once.
 */
import { ConnectionError, HttpError, MaybeExecutedError, RpcError, SessionExpiredError, TimeoutError, describeFailure, redactUrl } from '../errors';
import { classifyFailure, isReplaySafe, isUnreachable, sleep } from '../retry/index';
import type { Attempt } from '../session/attempt';
import type { McpSession } from '../session/mcp-session';
import type { CallSpan } from '../telemetry/index';
import type { SseStreamState } from '../transport/sse-reader';
import { log } from './logger';
import type { RunnerContext, RunnerRequest } from './request-runner';
import { untilAborted } from './until-aborted';

/** Resumes of one attempt's stream, each of which must have made progress (a new event id). */
const MAX_RESUMES = 5;

/**
 * What one call remembers across its attempts.
 *
 * @example
 * ```ts
 * const call: CallState = { refreshedTools: false, finalError: undefined };
 * ```
 */
export interface CallState {
  /** Tools were re-listed after a -32020 once already: a second one is final. */
  refreshedTools: boolean;
  /** The error the call decided not to retry whatever its class (a second -32020); one field, not a set, per call. */
  finalError: unknown;
}

function toolNameOf(request: RunnerRequest): string | undefined {
  const name = request.params?.name;
  return request.method === 'tools/call' && typeof name === 'string' ? name : undefined;
}

async function replaySafe(context: RunnerContext, request: RunnerRequest): Promise<boolean> {
  const policy = request.replay ?? context.options.replay;
  const { trustAnnotations } = context.options;
  const base = { method: request.method, idempotent: request.idempotent, policy, trustAnnotations };
  if (isReplaySafe(base)) return true;
  const toolName = toolNameOf(request);
  // Only a trusted annotation can still make it safe; learn it only when it could matter.
  if (toolName === undefined || policy !== 'safe' || !trustAnnotations) return false;
  try {
    return isReplaySafe({ ...base, toolAnnotations: await context.annotationsOf(toolName) });
  } catch {
    return false; // the tool list could not be fetched: stay on the safe side
  }
}

async function resumeStream(
  session: McpSession,
  id: number,
  stream: SseStreamState,
  request: RunnerRequest,
  scope: Attempt,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  for (let round = 1; ; round++) {
    const seen = stream.lastEventId;
    // The server's SSE `retry:` is the wait before reconnecting (spec 2025-11-25 "Resumability": the
    // client MUST respect it; the official conformance scenario sse-retry fails a 2 ms reconnect).
    if (stream.retryMs !== undefined && stream.retryMs > 0) await sleep(stream.retryMs, scope.signal);
    try {
      return await session.resume(id, { stream, scope, timeoutMs, onProgress: request.onProgress });
    } catch (error) {
      // Another cut after new events: resume again from the newer id; no progress or another class: give up.
      if (round >= MAX_RESUMES || classifyFailure(error) !== 'response_lost' || stream.lastEventId === seen) throw error;
    }
  }
}

/**
 * What a failed attempt says about reachability: nothing listening (at a server reached before) closes the
 * shared probe's gate; any answer from the server opens it.
 */
function reportReachability(context: RunnerContext, error: unknown): void {
  if (isUnreachable(error)) {
    if (context.reachedServer()) context.gate.unreachable(error as ConnectionError);
  } else if (error instanceof HttpError || error instanceof RpcError || error instanceof SessionExpiredError) {
    context.gate.reached();
  }
}

/**
 * Sends one attempt; rethrows its failure for the retry loop after doing what the failure's class asks.
 *
 * @example
 * ```ts
 * const result = await attemptOnce(context, request, { refreshedTools: false, finalError: undefined }, signal, span);
 * ```
 */
export async function attemptOnce(
  context: RunnerContext,
  request: RunnerRequest,
  call: CallState,
  scope: Attempt,
  span: CallSpan,
): Promise<Record<string, unknown>> {
  context.breaker?.check();
  context.assertNotDegraded();
  // While the server is unreachable only the shared probe goes out; this attempt waits for it (not delivered).
  if (!context.gate.admit()) throw context.gate.heldBack();
  // The retry loop does not race attempts with the scope (the HTTP attempt hangs on it), so a wait for a
  // shared connect or recovery is raced here; a ready client skips the race and its listener.
  const session = context.ready() ?? (await untilAborted(context.ensureReady(), scope.signal));
  const generation = context.generation();
  const timeoutMs = request.timeoutMs ?? context.options.timeoutMs;
  const stream: SseStreamState = {};
  // A new id per attempt: a resend is a new request (spec 2026-07-28 "a broken response stream ... MUST
  // re-issue it as a new request with a new request ID"; harmless in the legacy era).
  const id = session.nextId();
  span.sent(id);
  try {
    const result = await session.request(request.method, request.params, { id, scope, timeoutMs, onProgress: request.onProgress, stream, headers: request.headers?.() });
    context.gate.reached();
    return result;
  } catch (error) {
    reportReachability(context, error);
    if ((request.retry ?? context.options.retry).retries === 0) throw error;
    const failureClass = classifyFailure(error);
    if (failureClass === 'session_lost') {
      // The server refused the session or the era before running the request, so a resend is safe. The recovery
      // may be paced (a session lost soon after its handshake): the wait ends with this call's scope.
      await untilAborted(context.recover(generation, error), scope.signal);
      throw error;
    }
    if (failureClass === 'stale_tools') {
      // -32020 came before the server ran the request; re-list once (the headers are read again), then resend.
      if (call.refreshedTools || typeof error !== 'object' || error === null) {
        call.finalError = error;
        throw error;
      }
      call.refreshedTools = true;
      await context.refreshTools();
      throw error;
    }
    if (failureClass !== 'response_lost') throw error;
    let lost: unknown = error;
    // A timed-out attempt was cancelled (notifications/cancelled); its stream will never carry the result.
    // The modern era has no resumption: its broken stream leaves only the resend-or-refuse branch below.
    const resumable = session.era === 'legacy' && stream.lastEventId !== undefined && !(error instanceof TimeoutError);
    if (resumable) {
      try {
        const result = await resumeStream(session, id, stream, request, scope, timeoutMs);
        context.stats.resumes++;
        log(context.options.logger, 'info', { method: request.method, lastEventId: stream.lastEventId }, 'resumed a cut response stream with Last-Event-ID');
        return result;
      } catch (resumeError) {
        if (scope.aborted) throw resumeError;
        lost = resumeError;
        if (classifyFailure(resumeError) === 'session_lost') await context.recover(generation, resumeError).catch(() => {});
      }
    }
    if (await untilAborted(replaySafe(context, request), scope.signal)) throw error; // the loop resends
    context.stats.replaysRefused++;
    const toolName = toolNameOf(request);
    const why = describeFailure(lost);
    log(context.options.logger, 'warn', { method: request.method, toolName, error: why }, 'the answer was lost and the call is not replay-safe; not resending');
    throw new MaybeExecutedError(
      `The answer to ${toolName === undefined ? request.method : `tool ${toolName}`} from ${redactUrl(context.options.url)} ` +
        `was lost after the request reached the server (${why}), and it is not safe to send it again`,
      { method: request.method, toolName, cause: lost },
    );
  }
}
