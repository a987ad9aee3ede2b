/**
 * Counting what the caller saw: the rows' pass criteria are counts of caller-visible failures, so every
 * call is settled (never left to reject unobserved) and stamped with when it settled.
 */

export type Settled<T> =
  | { readonly ok: true; readonly value: T; readonly at: number }
  | { readonly ok: false; readonly error: unknown; readonly at: number };

/** Settles `call` without ever rejecting, stamped with `Date.now()` at settlement. */
export function settle<T>(call: Promise<T>): Promise<Settled<T>> {
  return call.then(
    (value) => ({ ok: true as const, value, at: Date.now() }),
    (error: unknown) => ({ ok: false as const, error, at: Date.now() }),
  );
}

/** One line per error, so a failing count shows what went wrong without a page of error fields. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === 'string' ? `(${code})` : ''}: ${error.message}`;
  }
  return String(error);
}

/** The errors among settled calls, in call order, described in one line each. */
export function failuresOf<T>(outcomes: readonly Settled<T>[]): string[] {
  return outcomes.flatMap((outcome) => (outcome.ok ? [] : [describeError(outcome.error)]));
}

/** Resolves after `ms` of real time (chaos rows only: the outage itself is the scenario). */
export function realDelay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
