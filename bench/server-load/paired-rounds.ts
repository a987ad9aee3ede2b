/**
 * One round for one store: `archon-mcp serve` on it and the SDK baseline take turns block by block (the
 * order flips every block), first under the steady load, then under churn. The SDK figures measured
 * here are the baseline of this store's ratios in this round: measured seconds apart, not minutes.
 */
import type { ServerChild } from './server-child';
import { churnOf, openChurn, openSteady, steadyOf, type Block, type ChurnResult, type Load, type LoadShape, type SteadyResult } from './workloads';

/** Steady and churn figures of one server in one round. */
export interface RoundResult {
  steady: SteadyResult;
  churn: ChurnResult;
}

async function alternate(loads: readonly [Load, Load], shape: LoadShape): Promise<[Block[], Block[]]> {
  const blocks: [Block[], Block[]] = [[], []];
  for (let block = 0; block < shape.blocks; block += 1) {
    for (const side of block % 2 === 0 ? [0, 1] : [1, 0]) {
      const load = loads[side];
      if (load !== undefined) blocks[side]?.push(await load.measure(shape.blockMs));
    }
  }
  return blocks;
}

async function phase(
  open: (server: ServerChild, shape: LoadShape) => Promise<Load>,
  servers: readonly [ServerChild, ServerChild],
  shape: LoadShape,
): Promise<[Block[], Block[]]> {
  const loads: [Load, Load] = [await open(servers[0], shape), await open(servers[1], shape)];
  try {
    return await alternate(loads, shape);
  } finally {
    await Promise.allSettled(loads.map((load) => load.close()));
  }
}

/** Measures `target` against `baseline` for one round; returns both sides. */
export async function pairedRound(target: ServerChild, baseline: ServerChild, shape: LoadShape): Promise<{ target: RoundResult; baseline: RoundResult }> {
  const [targetSteady, baselineSteady] = await phase(openSteady, [target, baseline], shape);
  const [targetChurn, baselineChurn] = await phase(openChurn, [target, baseline], shape);
  return {
    target: { steady: steadyOf(targetSteady), churn: churnOf(targetChurn) },
    baseline: { steady: steadyOf(baselineSteady), churn: churnOf(baselineChurn) },
  };
}
