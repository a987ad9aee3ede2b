/**
 * Counts inserts per key (a session's request records, a stream's events) so a capped SQL table is trimmed
 * every few inserts of a key instead of on each one: the trim is a correlated DELETE that costs more than
 * the insert it follows (PGlite, measured: a 6-event INSERT 0.4 ms alone, 1.3 ms with the trim inlined).
 * A key holds at most `cap + every - 1` rows from this process between trims; the readers return the
 * newest `cap` only. Bounded: the least recently used key is forgotten beyond `keep` keys (its next insert
 * restarts its count).
 */
export class SqlTrimCounter {
  readonly #every: number;
  readonly #keep: number;
  /** Inserts per key since its last trim, least recently inserted first. */
  readonly #untrimmed = new Map<string, number>();

  constructor(every: number, keep: number) {
    this.#every = every;
    this.#keep = keep;
  }

  /** Counts one insert per key given; returns the keys due for a trim (once each) and restarts their count. */
  count(keys: Iterable<string>): string[] {
    const due = new Set<string>();
    for (const key of keys) {
      const count = (this.#untrimmed.get(key) ?? 0) + 1;
      this.#untrimmed.delete(key);
      if (count >= this.#every) due.add(key);
      else this.#untrimmed.set(key, count);
      if (this.#untrimmed.size > this.#keep) {
        const oldest = this.#untrimmed.keys().next().value;
        if (oldest !== undefined) this.#untrimmed.delete(oldest);
      }
    }
    return [...due];
  }
}
