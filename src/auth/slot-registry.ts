/**
 * State shared by every coordinator of the process that uses the same credentials ("slot"): the provider
 * instance, or one resource in one token store. One refresh in flight per slot is what keeps a rotating
 * refresh token from being spent twice (issue #11: opencode #34074, vercel/ai #20674, gemini-cli #29048).
 */
import type { OAuthDiscoveryState } from '@modelcontextprotocol/client';
import type { StoredCredentials } from './token-store';

/** The outcome of one flight, shared with the callers that joined it. */
export type FlightOutcome = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

/** An `auth()` run in progress: an early refresh (never asks a user) or an interactive one (may redirect). */
export interface Flight {
  readonly kind: 'proactive' | 'interactive';
  readonly done: Promise<FlightOutcome>;
}

/** An authorization URL handed out and not finished yet. */
export interface PendingAuthorization {
  readonly authorizationUrl: string;
  readonly scope: string | undefined;
}

/** Everything coordinators share about one slot. */
export interface SlotState {
  flight: Flight | undefined;
  pending: PendingAuthorization | undefined;
  /** The OAuth `state` sent with the pending authorization; the callback must echo it. */
  expectedState: string | undefined;
  /** The PKCE verifier of the pending authorization, so any coordinator of the slot can finish it. */
  codeVerifier: string | undefined;
  /** Discovery from the last run (PRM + AS metadata); reused by early refreshes and by finishAuth. */
  discovery: OAuthDiscoveryState | undefined;
  /** The union of every scope asked for so far (challenges, step-ups, `authorize`), SEP-2350. */
  scope: string | undefined;
  /** The `resource_metadata` URL from the last challenge. */
  resourceMetadataUrl: URL | undefined;
  /** Store-backed slots: the last record read or written (`null`: read, nothing stored). */
  record: StoredCredentials | null | undefined;
  /** Provider-backed slots: when the provider's current token was obtained, as seen by `saveTokens`. */
  timing: { readonly accessToken: string; readonly obtainedAtMs: number; readonly expiresAtMs: number | undefined } | undefined;
  /** The jittered early-refresh instant of the current token, drawn once per token (and expiry). */
  refreshAt: { readonly accessToken: string; readonly expiresAtMs: number; readonly atMs: number } | undefined;
  /** No early refresh before this instant (after a failed one). */
  proactiveRetryAfterMs: number;
}

const byKey = new Map<string, SlotState>();
const byObject = new WeakMap<object, SlotState>();

function emptySlot(): SlotState {
  return {
    flight: undefined,
    pending: undefined,
    expectedState: undefined,
    codeVerifier: undefined,
    discovery: undefined,
    scope: undefined,
    resourceMetadataUrl: undefined,
    record: undefined,
    timing: undefined,
    refreshAt: undefined,
    proactiveRetryAfterMs: 0,
  };
}

/**
 * The process-wide state of a slot: a string key for store-backed credentials, the provider object otherwise
 * (held weakly, so a dropped provider takes its state with it).
 *
 * @example
 * ```ts
 * const slot = slotState(`${store.id}\n${resource}`);
 * ```
 */
export function slotState(key: string | object): SlotState {
  if (typeof key === 'string') {
    let slot = byKey.get(key);
    if (slot === undefined) byKey.set(key, (slot = emptySlot()));
    return slot;
  }
  let slot = byObject.get(key);
  if (slot === undefined) byObject.set(key, (slot = emptySlot()));
  return slot;
}

/**
 * Runs `body` as the slot's flight, or joins the one in progress. A joiner gets the running flight's outcome
 * and kind (and does not run `body`); the flight is cleared before its outcome is delivered, so a joiner that
 * decides to run its own sees none.
 *
 * @example
 * ```ts
 * const { joined, outcome } = await runFlight(slot, 'interactive', () => refresh());
 * ```
 */
export async function runFlight(
  slot: SlotState,
  kind: Flight['kind'],
  body: () => Promise<void>,
): Promise<{ readonly joined: boolean; readonly kind: Flight['kind']; readonly outcome: FlightOutcome }> {
  const running = slot.flight;
  if (running !== undefined) return { joined: true, kind: running.kind, outcome: await running.done };
  let settle!: (outcome: FlightOutcome) => void;
  const flight: Flight = { kind, done: new Promise<FlightOutcome>((resolve) => (settle = resolve)) };
  slot.flight = flight;
  let outcome: FlightOutcome;
  try {
    await body();
    outcome = { ok: true };
  } catch (error) {
    outcome = { ok: false, error };
  }
  if (slot.flight === flight) slot.flight = undefined;
  settle(outcome);
  return { joined: false, kind, outcome };
}
