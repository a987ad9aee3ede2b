/**
 * Bounded polling for chaos tests: the state they wait for (a tool started, a stream reopened) lives in
 * another process, so there is no event to await. Bounded in time AND count, as the suite's rules ask.
 */

export interface PollOptions {
  /** @default 5_000 */
  readonly timeoutMs?: number;
  /** @default 20 */
  readonly intervalMs?: number;
  /** Named in the timeout error so a failing row says what it waited for. */
  readonly what: string;
}

/**
 * Calls `check` until it returns a value other than `undefined`/`false`, then returns that value.
 * Throws after `timeoutMs` (or `timeoutMs / intervalMs` checks), naming `what`.
 *
 * @example
 * ```ts
 * await pollUntil(async () => (await server.stats()).toolRuns['counter'] === 1, { what: 'counter started' });
 * ```
 */
export async function pollUntil<T>(check: () => Promise<T | undefined | false> | T | undefined | false, options: PollOptions): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const intervalMs = options.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  const maxChecks = Math.ceil(timeoutMs / intervalMs) + 1;
  for (let checks = 0; checks < maxChecks && Date.now() <= deadline; checks++) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${options.what}`);
}
