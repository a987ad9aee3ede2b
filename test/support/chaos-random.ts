/**
 * A seeded PRNG (mulberry32) so a failing soak run can be replayed exactly: the seed is printed with
 * every failure, and `CHAOS_SEED=<n>` reproduces the same fault schedule.
 */

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/**
 * @example
 * ```ts
 * const random = seededRandom(42);
 * const pick = Math.floor(random() * 3);
 * ```
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The seed from `CHAOS_SEED`, else a fresh one (so repeated runs explore different schedules). */
export function chaosSeed(): number {
  const fromEnv = Number(process.env.CHAOS_SEED);
  return Number.isInteger(fromEnv) && process.env.CHAOS_SEED !== '' ? fromEnv : Math.floor(Math.random() * 2 ** 31);
}
