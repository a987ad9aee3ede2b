/**
 * The soak's adversary: at seeded-random moments it restarts the server, cuts the network or injects
 * 503s, one fault at a time (overlapping faults would make a failure impossible to attribute). The
 * schedule depends only on the seed, so `CHAOS_SEED=<n>` replays the same sequence of faults.
 */
import type { Random } from './chaos-random';

/** What the injector can break. Each action resolves once the fault is over (server back, network back). */
export interface FaultActions {
  /** SIGKILL the server and start it again on the same port. */
  restartServer(): Promise<void>;
  /** Reset every connection and refuse new ones for `ms`. */
  cutNetwork(ms: number): Promise<void>;
  /** Reset every open connection once (a blip). */
  resetConnections(): Promise<void>;
  /** The next `count` MCP responses are 503 with `Retry-After: <retryAfterSeconds>`. */
  inject503(count: number, retryAfterSeconds: number): Promise<void>;
}

export type FaultKind = 'restart' | 'cut' | 'reset' | '503';

export interface FaultRecord {
  readonly kind: FaultKind;
  /** ms since the injector started. */
  readonly atMs: number;
  readonly detail: string;
}

export interface FaultInjector {
  readonly log: readonly FaultRecord[];
  /** Stops after the fault in progress is over; resolves then. */
  stop(): Promise<void>;
}

export interface FaultInjectorOptions {
  readonly random: Random;
  readonly actions: FaultActions;
  /** Quiet time between two faults is uniform in [minGapMs, maxGapMs]. */
  readonly minGapMs: number;
  readonly maxGapMs: number;
  /** Hard bound on faults, whatever the time. */
  readonly maxFaults: number;
  /** Called with an action's error; the injector keeps going (a failed fault is not a client bug). */
  readonly onActionError?: (error: unknown, kind: FaultKind) => void;
}

/** Restarts are the costliest fault (a child process start), so they are the rarest. */
const WEIGHTS: readonly (readonly [FaultKind, number])[] = [
  ['restart', 2],
  ['cut', 3],
  ['reset', 3],
  ['503', 2],
];

function pickKind(random: Random): FaultKind {
  const total = WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [kind, weight] of WEIGHTS) {
    roll -= weight;
    if (roll < 0) return kind;
  }
  return 'reset';
}

/** Every kind once, in seeded order: a short run still meets each fault at least once. */
function shuffledKinds(random: Random): FaultKind[] {
  const kinds = WEIGHTS.map(([kind]) => kind);
  for (let index = kinds.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [kinds[index], kinds[other]] = [kinds[other] as FaultKind, kinds[index] as FaultKind];
  }
  return kinds;
}

function between(random: Random, min: number, max: number): number {
  return Math.round(min + random() * (max - min));
}

/**
 * Starts injecting at once; runs until `stop()` or `maxFaults`. The first faults are each kind once.
 *
 * @example
 * ```ts
 * const injector = startFaultInjector({ random: seededRandom(7), actions, minGapMs: 300, maxGapMs: 900, maxFaults: 40 });
 * await runTraffic();
 * await injector.stop();
 * ```
 */
export function startFaultInjector(options: FaultInjectorOptions): FaultInjector {
  const { random, actions } = options;
  const log: FaultRecord[] = [];
  const startedAt = Date.now();
  let stopping = false;
  let wakeUp: (() => void) | undefined;

  async function quietFor(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    wakeUp = undefined;
  }

  async function inject(kind: FaultKind): Promise<string> {
    switch (kind) {
      case 'restart':
        await actions.restartServer();
        return 'SIGKILL + start on the same port';
      case 'cut': {
        const ms = between(random, 200, 1_000);
        await actions.cutNetwork(ms);
        return `${ms} ms`;
      }
      case 'reset':
        await actions.resetConnections();
        return 'every open connection';
      case '503': {
        const count = between(random, 1, 3);
        await actions.inject503(count, 0);
        return `next ${count} responses, Retry-After: 0`;
      }
    }
  }

  const opening = shuffledKinds(random);
  const loop = (async () => {
    for (let injected = 0; !stopping && injected < options.maxFaults; injected++) {
      await quietFor(between(random, options.minGapMs, options.maxGapMs));
      if (stopping) break;
      const kind = opening[injected] ?? pickKind(random);
      const atMs = Date.now() - startedAt;
      try {
        log.push({ kind, atMs, detail: await inject(kind) });
      } catch (error) {
        options.onActionError?.(error, kind);
      }
    }
  })();

  return {
    log,
    async stop() {
      stopping = true;
      wakeUp?.();
      await loop;
    },
  };
}
