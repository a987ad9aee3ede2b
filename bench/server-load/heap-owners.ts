/**
 * Who owns the heap that idle sessions add: every object that is in the `after` snapshot but not in
 * `before` (V8 node ids are stable within one process) is charged to its nearest dominator whose
 * constructor is one of the named owners (an `McpServer`, the SDK transport, a `LiveSession`, ...), or to
 * "other". Dominators come from the Cooper-Harvey-Kennedy iteration over the whole `after` graph, weak
 * edges left out, as DevTools computes retained sizes. The rows partition the heap delta.
 *
 *   node --import tsx bench/server-load/heap-owners.ts before.heapsnapshot after.heapsnapshot sessions [depth]
 */
import { readFileSync } from 'node:fs';

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** Constructors a per-session object can belong to, most specific (innermost) first in the report. */
export const DEFAULT_OWNERS = [
  'LiveSession',
  'McpServer',
  'Server',
  'StreamableHTTPServerTransport',
  'WebStandardStreamableHTTPServerTransport',
  'NodeStreamableHTTPServerTransport',
  'ServerResponse',
  'IncomingMessage',
  'Socket',
] as const;

function readIds(file: string): Set<number> {
  const raw: RawSnapshot = JSON.parse(readFileSync(file, 'utf8'));
  const fields = raw.snapshot.meta.node_fields;
  const idAt = fields.indexOf('id');
  const ids = new Set<number>();
  for (let index = idAt; index < raw.nodes.length; index += fields.length) ids.add(raw.nodes[index] ?? -1);
  return ids;
}

/** Immediate dominator of every node (node ordinals), root = 0. */
function dominators(count: number, firstEdge: Int32Array, targets: Int32Array, strong: Uint8Array): Int32Array {
  // Post-order by an iterative DFS from the root.
  const order = new Int32Array(count).fill(-1);
  const postorder: number[] = [];
  const stack: number[] = [0];
  const cursor = new Int32Array(count);
  const visited = new Uint8Array(count);
  visited[0] = 1;
  for (let n = 0; n < count; n += 1) cursor[n] = firstEdge[n] ?? 0;
  while (stack.length > 0) {
    const node = stack[stack.length - 1] ?? 0;
    const end = firstEdge[node + 1] ?? 0;
    let pushed = false;
    while ((cursor[node] ?? 0) < end) {
      const edge = cursor[node] ?? 0;
      cursor[node] = edge + 1;
      const to = targets[edge] ?? 0;
      if (strong[edge] === 1 && visited[to] === 0) {
        visited[to] = 1;
        stack.push(to);
        pushed = true;
        break;
      }
    }
    if (!pushed) {
      order[node] = postorder.length;
      postorder.push(node);
      stack.pop();
    }
  }
  // Predecessors over strong edges, in CSR form.
  const predCount = new Int32Array(count + 1);
  for (let from = 0; from < count; from += 1) {
    for (let edge = firstEdge[from] ?? 0; edge < (firstEdge[from + 1] ?? 0); edge += 1) if (strong[edge] === 1) { const slot = (targets[edge] ?? 0) + 1; predCount[slot] = (predCount[slot] ?? 0) + 1; }
  }
  for (let n = 0; n < count; n += 1) predCount[n + 1] = (predCount[n + 1] ?? 0) + (predCount[n] ?? 0);
  const preds = new Int32Array(predCount[count] ?? 0);
  const fill = predCount.slice(0, count);
  for (let from = 0; from < count; from += 1) {
    for (let edge = firstEdge[from] ?? 0; edge < (firstEdge[from + 1] ?? 0); edge += 1) {
      if (strong[edge] !== 1) continue;
      const to = targets[edge] ?? 0;
      preds[fill[to] ?? 0] = from;
      fill[to] = (fill[to] ?? 0) + 1;
    }
  }
  const idom = new Int32Array(count).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while ((order[a] ?? 0) < (order[b] ?? 0)) a = idom[a] ?? 0;
      while ((order[b] ?? 0) < (order[a] ?? 0)) b = idom[b] ?? 0;
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = postorder.length - 2; i >= 0; i -= 1) {
      const node = postorder[i] ?? 0;
      let next = -1;
      for (let p = predCount[node] ?? 0; p < (predCount[node + 1] ?? 0); p += 1) {
        const pred = preds[p] ?? 0;
        if (idom[pred] === -1 || (order[pred] ?? -1) < 0) continue;
        next = next === -1 ? pred : intersect(pred, next);
      }
      if (next !== -1 && idom[node] !== next) {
        idom[node] = next;
        changed = true;
      }
    }
  }
  return idom;
}

/**
 * Bytes of new objects per owner constructor (plus `other`), largest first. With `depth` > 0 each owner is
 * split by the path of property names below it along the dominator chain (`McpServer._registeredTools.echo`).
 */
export function heapOwners(
  beforeFile: string,
  afterFile: string,
  owners: readonly string[] = DEFAULT_OWNERS,
  depth = 0,
): Array<{ owner: string; bytes: number; objects: number }> {
  const before = readIds(beforeFile);
  const raw: RawSnapshot = JSON.parse(readFileSync(afterFile, 'utf8'));
  const { node_fields: nodeFields, node_types: nodeTypes, edge_fields: edgeFields, edge_types: edgeTypes } = raw.snapshot.meta;
  const count = raw.nodes.length / nodeFields.length;
  const [typeAt, nameAt, idAt, sizeAt, edgeCountAt] = ['type', 'name', 'id', 'self_size', 'edge_count'].map((f) => nodeFields.indexOf(f));
  const [edgeTypeAt, toAt] = ['type', 'to_node'].map((f) => edgeFields.indexOf(f));
  const weak = edgeTypes[0].indexOf('weak');
  const objectType = nodeTypes[0].indexOf('object');
  const firstEdge = new Int32Array(count + 1);
  for (let n = 0; n < count; n += 1) firstEdge[n + 1] = (firstEdge[n] ?? 0) + (raw.nodes[n * nodeFields.length + (edgeCountAt ?? 0)] ?? 0);
  const edgeCount = raw.edges.length / edgeFields.length;
  const targets = new Int32Array(edgeCount);
  const strong = new Uint8Array(edgeCount);
  for (let e = 0; e < edgeCount; e += 1) {
    targets[e] = (raw.edges[e * edgeFields.length + (toAt ?? 0)] ?? 0) / nodeFields.length;
    strong[e] = raw.edges[e * edgeFields.length + (edgeTypeAt ?? 0)] === weak ? 0 : 1;
  }
  const idom = dominators(count, firstEdge, targets, strong);
  const field = (n: number, at: number | undefined) => raw.nodes[n * nodeFields.length + (at ?? 0)] ?? 0;
  const ownerOf = new Map<number, string>();
  for (let n = 0; n < count; n += 1) {
    const name = raw.strings[field(n, nameAt)] ?? '';
    if (field(n, typeAt) === objectType && owners.includes(name)) ownerOf.set(n, name);
  }
  const edgeName = (from: number, to: number): string => {
    for (let edge = firstEdge[from] ?? 0; edge < (firstEdge[from + 1] ?? 0); edge += 1) {
      if (targets[edge] !== to) continue;
      const type = edgeTypes[0][raw.edges[edge * edgeFields.length + (edgeTypeAt ?? 0)] ?? 0];
      const nameOrIndex = raw.edges[edge * edgeFields.length + (edgeFields.indexOf('name_or_index') ?? 0)] ?? 0;
      return type === 'element' || type === 'hidden' ? `[${nameOrIndex}]` : `.${raw.strings[nameOrIndex] ?? '?'}`;
    }
    return `~${raw.strings[field(to, nameAt)] ?? '?'}`;
  };
  /** `.a.b` for the dominator chain owner -> path[0] -> path[1] ... */
  const pathBelow = (owner: number, path: number[]): string => {
    let label = '';
    let from = owner;
    for (const to of path) {
      label += edgeName(from, to);
      from = to;
    }
    return label;
  };
  const totals = new Map<string, { bytes: number; objects: number }>();
  for (let n = 0; n < count; n += 1) {
    if (before.has(field(n, idAt))) continue;
    let owner = 'other (no owner among the named ones dominates it)';
    const chain: number[] = [];
    for (let at = n, hops = 0; hops < 10_000; hops += 1) {
      const found = ownerOf.get(at);
      if (found !== undefined) {
        owner = found + pathBelow(at, chain.slice(-depth).reverse());
        break;
      }
      chain.push(at);
      const up = idom[at] ?? -1;
      if (up === at || up < 0) {
        if (up < 0) owner = 'unreachable (garbage left after GC)';
        break;
      }
      at = up;
    }
    const total = totals.get(owner) ?? { bytes: 0, objects: 0 };
    total.bytes += field(n, sizeAt);
    total.objects += 1;
    totals.set(owner, total);
  }
  return [...totals.entries()].map(([owner, total]) => ({ owner, ...total })).sort((a, b) => b.bytes - a.bytes);
}

/** The breakdown per session. */
export function renderHeapOwners(rows: ReturnType<typeof heapOwners>, sessions: number): string {
  const total = rows.reduce((sum, row) => sum + row.bytes, 0);
  return [
    `heap added by idle sessions, by nearest owning object (dominator), ${(total / sessions / 1_000).toFixed(1)} KB per session:`,
    ...rows.map((row) => `${(row.bytes / sessions / 1_000).toFixed(1).padStart(8)} KB/session ${(row.objects / sessions).toFixed(0).padStart(6)} objects/session  ${row.owner}`),
  ].join('\n');
}

if (process.argv[1]?.endsWith('heap-owners.ts')) {
  const [beforeFile, afterFile, sessions = '1', depth = '0'] = process.argv.slice(2);
  if (beforeFile === undefined || afterFile === undefined) throw new Error('usage: heap-owners.ts before.heapsnapshot after.heapsnapshot [sessions] [depth]');
  console.log(renderHeapOwners(heapOwners(beforeFile, afterFile, DEFAULT_OWNERS, Number(depth)).slice(0, 40), Number(sessions)));
}
