/**
 * Inclusive (total) time per function of a V8 `.cpuprofile`: the time spent in it and everything it called,
 * each sample counted once per function however deep the recursion. Self time (`profile-summary.ts`) says
 * where the CPU burns; this says which step of the request pipeline it burns under.
 */
import { readFile } from 'node:fs/promises';

interface Node {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}

function shortUrl(url: string): string {
  const cut = url.search(/\/(src|server|bench|dist|node_modules)\//);
  return cut >= 0 ? url.slice(cut + 1) : url.replace(/^file:\/\//, '');
}

/** The `top` functions by inclusive time, as lines; `perCalls` turns ms into µs per call. */
export async function inclusiveTimes(file: string, top: number, perCalls: number): Promise<string> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  const parent = new Map<number, number>();
  const byId = new Map<number, Node>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const totals = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, index) => {
    const micros = profile.timeDeltas[index] ?? 0;
    const leaf = byId.get(id);
    if (leaf === undefined || leaf.callFrame.functionName === '(idle)') return;
    busy += micros;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (frame === undefined) break;
      const key = `${frame.functionName || '(anonymous)'}  ${shortUrl(frame.url)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      totals.set(key, (totals.get(key) ?? 0) + micros);
    }
  });
  return [...totals]
    .filter(([key]) => !key.startsWith('(root)') && !key.startsWith('(program)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, micros]) => `${((micros / busy) * 100).toFixed(1).padStart(5)}%  ${(micros / perCalls).toFixed(1).padStart(7)} µs/call  ${key}`)
    .join('\n');
}
