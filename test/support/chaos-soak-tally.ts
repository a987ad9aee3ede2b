/**
 * The soak's bookkeeping: from every call's outcome and the counter ledger, the figures its pass
 * criteria are about (lost calls, untyped failures, duplicate or unbacked counter executions).
 */
import { isMcpClientError } from '../../src/index';
import { describeError, type Settled } from './chaos-calls';

export type SoakCallKind = 'echo' | 'find_projects' | 'slow' | 'counter';

export interface SoakCall {
  readonly index: number;
  readonly kind: SoakCallKind;
  /** Undefined while in flight; still undefined at the end means the call was lost. */
  outcome?: Settled<unknown>;
}

/** The ledger key a soak `counter` call uses, unique per call so executions can be matched to calls. */
export function soakCounterKey(index: number): string {
  return `soak-${index}`;
}

export interface SoakTally {
  readonly lost: string[];
  readonly untyped: string[];
  /** `kind:CODE` -> count, for the report. */
  readonly failuresByKindAndCode: Record<string, number>;
  readonly counterSucceeded: number;
  readonly counterMaybeExecuted: number;
  /** Executions in the ledger, all soak keys. */
  readonly counterExecutions: number;
  /** Keys the ledger shows more than once. */
  readonly executedTwice: string[];
  /** Successful counter calls whose key the ledger does not show exactly once. */
  readonly successWithoutOneExecution: string[];
}

/**
 * @example
 * ```ts
 * const tally = tallySoak(calls, await chaos.counterRunsByKey());
 * expect(tally.lost).toEqual([]);
 * ```
 */
export function tallySoak(calls: readonly SoakCall[], ledger: ReadonlyMap<string, number>): SoakTally {
  const failuresByKindAndCode: Record<string, number> = {};
  const lost: string[] = [];
  const untyped: string[] = [];
  let counterSucceeded = 0;
  let counterMaybeExecuted = 0;
  const successWithoutOneExecution: string[] = [];
  for (const { index, kind, outcome } of calls) {
    if (outcome === undefined) {
      lost.push(`${kind} #${index}`);
      continue;
    }
    if (!outcome.ok) {
      const code = isMcpClientError(outcome.error) ? outcome.error.code : 'UNTYPED';
      failuresByKindAndCode[`${kind}:${code}`] = (failuresByKindAndCode[`${kind}:${code}`] ?? 0) + 1;
      if (code === 'UNTYPED') untyped.push(`${kind} #${index}: ${describeError(outcome.error)}`);
    }
    if (kind !== 'counter') continue;
    if (outcome.ok) {
      counterSucceeded++;
      if (ledger.get(soakCounterKey(index)) !== 1) successWithoutOneExecution.push(soakCounterKey(index));
    } else if (isMcpClientError(outcome.error) && outcome.error.code === 'MAYBE_EXECUTED') {
      counterMaybeExecuted++;
    }
  }
  return {
    lost,
    untyped,
    failuresByKindAndCode,
    counterSucceeded,
    counterMaybeExecuted,
    counterExecutions: [...ledger.values()].reduce((sum, count) => sum + count, 0),
    executedTwice: [...ledger].filter(([, count]) => count > 1).map(([key]) => key),
    successWithoutOneExecution,
  };
}
