import { appendFileSync } from 'node:fs';

/** What one `counter` execution returns. */
export interface CounterExecution {
  key: string;
  /** The key's value after this execution (in-process; starts at 0 again after a restart). */
  value: number;
  /** Executions of `counter` in this process, all keys. */
  executions: number;
}

/**
 * Counts `counter` executions. The tool is deliberately NOT idempotent: exactly-once tests count
 * executions here, and across a SIGKILL through the optional append-only file (one `key` line per
 * execution, written synchronously BEFORE the answer leaves, so a kill after the write still counts).
 *
 * @example
 * ```ts
 * const ledger = new CounterLedger('/tmp/counter.log');
 * ledger.increment('a'); // { key: 'a', value: 1, executions: 1 }
 * ```
 */
export class CounterLedger {
  readonly #file: string | undefined;
  readonly #values = new Map<string, number>();
  #executions = 0;

  constructor(file?: string) {
    this.#file = file;
  }

  increment(key: string): CounterExecution {
    if (this.#file !== undefined) appendFileSync(this.#file, `${key}\n`);
    const value = (this.#values.get(key) ?? 0) + 1;
    this.#values.set(key, value);
    this.#executions += 1;
    return { key, value, executions: this.#executions };
  }

  get executions(): number {
    return this.#executions;
  }

  reset(): void {
    this.#values.clear();
    this.#executions = 0;
  }
}
