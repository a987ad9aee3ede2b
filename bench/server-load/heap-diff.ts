/**
 * Where the heap of idle sessions goes: the difference of two V8 heap snapshots (before and after N idle
 * sessions), grouped by node type and constructor name, largest self size first. Self sizes only: what
 * each kind of object costs itself, not what it keeps alive, so the rows add up to the heap delta.
 *
 *   node --import tsx bench/server-load/heap-diff.ts before.heapsnapshot after.heapsnapshot [sessions]
 */
import { readFileSync } from 'node:fs';

interface HeapSnapshotFile {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** One group of objects in the diff. */
export interface HeapGroup {
  readonly key: string;
  readonly count: number;
  readonly selfBytes: number;
}

/** Self bytes and object count per `type:name` in one snapshot. */
export function groupSnapshot(file: string): Map<string, { count: number; selfBytes: number }> {
  const parsed: HeapSnapshotFile = JSON.parse(readFileSync(file, 'utf8'));
  const fields = parsed.snapshot.meta.node_fields;
  const types = parsed.snapshot.meta.node_types[0];
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const groups = new Map<string, { count: number; selfBytes: number }>();
  for (let index = 0; index < parsed.nodes.length; index += fields.length) {
    const type = types[parsed.nodes[index + typeAt] ?? 0] ?? '?';
    let name = parsed.strings[parsed.nodes[index + nameAt] ?? 0] ?? '?';
    // Strings and code are named by their content: group them by type only.
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string' || type === 'code' || type === 'number') name = '';
    if (type === 'closure') name = `closure ${name}`;
    const key = name === '' ? `(${type})` : `${name}${type === 'object' || type === 'closure' ? '' : ` (${type})`}`;
    const group = groups.get(key) ?? { count: 0, selfBytes: 0 };
    group.count += 1;
    group.selfBytes += parsed.nodes[index + sizeAt] ?? 0;
    groups.set(key, group);
  }
  return groups;
}

/** `after - before` per group, largest growth first. */
export function diffSnapshots(beforeFile: string, afterFile: string): HeapGroup[] {
  const before = groupSnapshot(beforeFile);
  const after = groupSnapshot(afterFile);
  return [...after.entries()]
    .map(([key, group]) => ({
      key,
      count: group.count - (before.get(key)?.count ?? 0),
      selfBytes: group.selfBytes - (before.get(key)?.selfBytes ?? 0),
    }))
    .filter((group) => group.selfBytes > 0)
    .sort((a, b) => b.selfBytes - a.selfBytes);
}

/** The top rows of a diff, per session. */
export function renderHeapDiff(groups: readonly HeapGroup[], sessions: number, rows = 30): string {
  const total = groups.reduce((sum, group) => sum + group.selfBytes, 0);
  const lines = groups
    .slice(0, rows)
    .map(
      (group) =>
        `${(group.selfBytes / sessions).toFixed(0).padStart(8)} B/session ${(group.count / sessions).toFixed(1).padStart(7)} objects/session  ${group.key}`,
    );
  return [`heap growth by constructor, self sizes, ${(total / sessions / 1_000).toFixed(1)} KB per session in all:`, ...lines].join('\n');
}

if (process.argv[1]?.endsWith('heap-diff.ts')) {
  const [beforeFile, afterFile, sessions = '1'] = process.argv.slice(2);
  if (beforeFile === undefined || afterFile === undefined) throw new Error('usage: heap-diff.ts before.heapsnapshot after.heapsnapshot [sessions]');
  console.log(renderHeapDiff(diffSnapshots(beforeFile, afterFile), Number(sessions), 60));
}
