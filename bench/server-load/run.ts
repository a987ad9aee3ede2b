/**
 * `npm run bench:server`: `archon-mcp serve` (the built bin) on each store against a plain stateful server
 * on the official v2 SDK, the same raw undici load, interleaved rounds; within a round each store and the
 * SDK alternate block by block, and the ratio is against the SDK blocks measured alongside. A benchmark,
 * never a test: it prints targets and PASS/FAIL and exits 0 unless it could not run.
 *
 * Flags: --rounds=N (3) --blocks=N per server and phase (3) --block-ms=N (1000) --warmup-ms=N (500)
 *        --stores=memory,file,pglite,postgres,redis
 *        --idle-sessions=N (500) --heap-snapshot (memory store: write before/after snapshots, print who owns
 *        the growth, `heap-owners.ts`, and the growth by constructor, `heap-diff.ts`)
 *        --out=FILE|none (bench/results/server-latest.json)
 *        --hostile: instead, a good client's tools/call throughput and latency alone and under --connections=N (300)
 *        hostile connections, --phase-ms=N (10000) each, on the SDK server then --stores (default memory,file); `hostile.ts`
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { diffSnapshots, renderHeapDiff } from "./heap-diff";
import { DEFAULT_OWNERS, heapOwners, renderHeapOwners } from "./heap-owners";
import { runHostileBench } from "./hostile";
import {
  renderMemory,
  renderSpeed,
  summarize,
  type TargetFigures,
} from "./report";
import { startServerChild, type ServerChild } from "./server-child";
import {
  sdkTarget,
  STORE_IDS,
  storeTarget,
  type StoreId,
  type Target,
} from "./targets";
import { pairedRound } from "./paired-rounds";
import { measureIdleSessions, type LoadShape } from "./workloads";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const RESULTS = path.join(ROOT, "bench/results");
/** The store `archon-mcp serve` uses by default (SERVE_DEFAULTS in server/serve.ts). */
const EMBEDDED_DEFAULT: StoreId = "file";
/** The whole run stops by itself after this long. */
const WATCHDOG_MS = 30 * 60_000;
/** Idle time after start before its RSS is read. */
const SETTLE_MS = 2_000;

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    blocks: { type: "string", default: "3" },
    "block-ms": { type: "string", default: "1000" },
    "warmup-ms": { type: "string", default: "500" },
    stores: { type: "string" },
    "idle-sessions": { type: "string", default: "500" },
    "heap-snapshot": { type: "boolean", default: false },
    out: { type: "string" },
    hostile: { type: "boolean", default: false },
    connections: { type: "string", default: "300" },
    "phase-ms": { type: "string", default: "10000" },
  },
});
const positive = (name: string, raw: string | undefined): number => {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new TypeError(
      `Expected --${name} to be a positive number, got ${raw}`,
    );
  return value;
};
const rounds = Math.round(positive("rounds", values.rounds));
const shape: LoadShape = {
  sessions: 8,
  concurrency: 16,
  churnConcurrency: 8,
  warmupMs: positive("warmup-ms", values["warmup-ms"]),
  blockMs: positive("block-ms", values["block-ms"]),
  blocks: Math.round(positive("blocks", values.blocks)),
  idleSessions: Math.round(positive("idle-sessions", values["idle-sessions"])),
};
const storeIds = (
  values.stores ?? (values.hostile ? "memory,file" : STORE_IDS.join(","))
)
  .split(",")
  .filter((id): id is StoreId => (STORE_IDS as readonly string[]).includes(id));
const paths = {
  cliPath: path.join(ROOT, "dist/cli.js"),
  sdkBaselinePath: path.join(RESULTS, "server-build/sdk-baseline-server.js"),
  probePath: path.join(RESULTS, "server-build/child-probe.js"),
};

const watchdog = setTimeout(() => {
  console.error(
    `bench:server: still running after ${WATCHDOG_MS / 60_000} min, giving up`,
  );
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

mkdirSync(RESULTS, { recursive: true });
values.out ??= path.join(
  RESULTS,
  values.hostile ? "server-hostile-latest.json" : "server-latest.json",
);
if (values.hostile) {
  await runHostileBench({
    paths,
    stores: storeIds,
    connections: Math.round(positive("connections", values.connections)),
    phaseMs: positive("phase-ms", values["phase-ms"]),
    warmupMs: positive("warmup-ms", values["warmup-ms"]),
    out: values.out === "none" ? undefined : values.out,
  });
  process.exit(0);
}
const loadBefore = loadavg();
console.log(
  `bench:server — ${rounds} rounds, ${shape.blocks} blocks of ${shape.blockMs} ms per server and phase, ${shape.sessions} sessions x ${shape.concurrency} concurrent echo calls, ` +
    `churn x ${shape.churnConcurrency}, ${shape.idleSessions} idle sessions; node ${process.version}; load average ${loadBefore.map((l) => l.toFixed(2)).join(" ")}`,
);

const targets: Target[] = [sdkTarget(paths)];
for (const id of storeIds) {
  const target = await storeTarget(id, paths);
  if (typeof target === "string") console.log(`${id}: skipped (${target})`);
  else targets.push(target);
}

const figures: TargetFigures[] = [];
const running = new Map<Target, ServerChild>();
try {
  for (const target of targets) {
    const entry: TargetFigures = {
      id: target.id,
      readyMs: Number.NaN,
      idleRssBytes: Number.NaN,
      rounds: [],
      baseline: [],
    };
    figures.push(entry);
    try {
      const child = await startServerChild(await target.launch());
      running.set(target, child);
      entry.readyMs = child.readyMs;
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      entry.idleRssBytes = (await child.probe()).rssBytes;
      const snapshots =
        values["heap-snapshot"] && target.id === "memory"
          ? {
              before: path.join(RESULTS, "idle-before.heapsnapshot"),
              after: path.join(RESULTS, "idle-after.heapsnapshot"),
            }
          : undefined;
      entry.idle = await measureIdleSessions(child, shape, snapshots);
      if (snapshots !== undefined) {
        const owners = heapOwners(
          snapshots.before,
          snapshots.after,
          DEFAULT_OWNERS,
          2,
        ).slice(0, 25);
        console.log(`\n${renderHeapOwners(owners, shape.idleSessions)}\n`);
        console.log(
          `${renderHeapDiff(diffSnapshots(snapshots.before, snapshots.after).slice(0, 15), shape.idleSessions, 15)}\n`,
        );
      }
      console.log(`${target.id}: ready in ${child.readyMs.toFixed(0)} ms`);
    } catch (error) {
      entry.error = error instanceof Error ? error.message : String(error);
      console.log(`${target.id}: failed to start or measure: ${entry.error}`);
    }
  }

  const sdk = targets[0] === undefined ? undefined : running.get(targets[0]);
  const sdkEntry = figures[0];
  const stores = targets.slice(1);
  for (
    let round = 0;
    round < rounds && sdk !== undefined && sdkEntry !== undefined;
    round += 1
  ) {
    // Rotate the order so no store always runs first (or right after the heaviest one).
    const order = stores
      .map((_, index) => stores[(index + round) % stores.length])
      .filter((t): t is Target => t !== undefined);
    for (const target of order) {
      const child = running.get(target);
      const entry = figures.find((f) => f.id === target.id);
      if (child === undefined || entry === undefined) continue;
      try {
        const result = await pairedRound(child, sdk, shape);
        entry.rounds[round] = result.target;
        entry.baseline[round] = result.baseline;
        sdkEntry.rounds.push(result.baseline);
        const ratio =
          result.target.steady.callsPerSecond /
          result.baseline.steady.callsPerSecond;
        console.log(
          `round ${round + 1} ${target.id}: ${result.target.steady.callsPerSecond.toFixed(0)} calls/s against the SDK's ` +
            `${result.baseline.steady.callsPerSecond.toFixed(0)} (${ratio.toFixed(2)}x); churn ${result.target.churn.sessionsPerSecond.toFixed(0)}/s ` +
            `against ${result.baseline.churn.sessionsPerSecond.toFixed(0)}/s`,
        );
      } catch (error) {
        entry.error = error instanceof Error ? error.message : String(error);
        console.log(`round ${round + 1} ${target.id}: failed: ${entry.error}`);
      }
    }
  }
} finally {
  await Promise.allSettled([...running.values()].map((child) => child.stop()));
  await Promise.allSettled(targets.map((target) => target.dispose()));
}

const summaries = summarize(figures);
const loadAfter = loadavg();
console.log(
  `\nSpeed (medians of ${rounds} rounds; ratio = this server / the SDK blocks measured alongside it):\n`,
);
console.log(renderSpeed(summaries));
console.log(
  `\nMemory per idle legacy session (${shape.idleSessions} sessions, after full GC) and start-up (fresh directory/database):\n`,
);
console.log(renderMemory(summaries, EMBEDDED_DEFAULT));
console.log(
  `\nload average before ${loadBefore.map((l) => l.toFixed(2)).join(" ")}, after ${loadAfter.map((l) => l.toFixed(2)).join(" ")}`,
);
if (values.out !== "none" && values.out !== undefined) {
  const record = {
    date: new Date().toISOString(),
    node: process.version,
    loadBefore,
    loadAfter,
    shape,
    rounds,
    summaries,
    figures,
  };
  // NaN is not JSON: written as null.
  writeFileSync(
    values.out,
    `${JSON.stringify(record, (_key, value: unknown) => (typeof value === "number" && !Number.isFinite(value) ? null : value), 2)}\n`,
  );
  console.log(`results: ${path.relative(ROOT, values.out)}`);
}
clearTimeout(watchdog);
