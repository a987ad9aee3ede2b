/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time per function and per origin (src/, undici,
 * the MCP SDK, Node internals, GC), so a profile of the MCPClient-only bench says which function in `src/` costs
 * what. Used by `profile.ts`.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function isCpuProfile(value: unknown): value is CpuProfile {
  return typeof value === 'object' && value !== null && 'nodes' in value && 'samples' in value && 'timeDeltas' in value;
}

/**
 * The main-thread profile of the newest run in a directory. Node names them CPU.<date>.<time>.<pid>.<thread>.<seq>;
 * thread 0 is the main thread (tsx's loader hooks run in a worker thread with its own profile).
 */
export async function newestProfile(path: string): Promise<string> {
  if (!(await stat(path)).isDirectory()) return path;
  const files = (await readdir(path)).filter((f) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f));
  const dated = await Promise.all(files.map(async (f) => ({ f, t: (await stat(join(path, f))).mtimeMs })));
  const newest = dated.sort((a, b) => b.t - a.t)[0];
  if (newest === undefined) throw new Error(`no main-thread .cpuprofile in ${path}`);
  return join(path, newest.f);
}

/** Groups a script URL into the origins the report cares about. */
function origin(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const src = /\/(src|server|bench)\//.exec(url);
  if (src !== null && !url.includes('node_modules')) return `${src[1]}/`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg !== null) return pkg[1] ?? url;
  if (url.startsWith('node:')) return 'node internals';
  return url;
}

function shortUrl(url: string): string {
  const cut = url.search(/\/(src|server|bench|node_modules)\//);
  return cut >= 0 ? url.slice(cut + 1) : url.replace(/^file:\/\//, '');
}

/** The report for one profile: origins, top functions, and project code alone; `perCalls` turns ms into us/call. */
export async function summarizeProfile(file: string, topN: number, perCalls: number | undefined): Promise<string> {
  const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
  if (!isCpuProfile(parsed)) throw new Error(`${file} is not a V8 cpuprofile`);
  const byNode = new Map(parsed.nodes.map((n) => [n.id, n.callFrame]));
  const selfByFunction = new Map<string, number>();
  const selfByOrigin = new Map<string, number>();
  let total = 0;
  let idle = 0;
  parsed.samples.forEach((nodeId, i) => {
    const frame = byNode.get(nodeId);
    const micros = parsed.timeDeltas[i] ?? 0;
    if (frame === undefined) return;
    total += micros;
    if (frame.functionName === '(idle)') idle += micros;
    // tsx keeps every module on one line, so the line number says nothing: function + file identify it.
    const key = `${frame.functionName || '(anonymous)'}  ${shortUrl(frame.url)}`;
    selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + micros);
    const o = origin(frame);
    selfByOrigin.set(o, (selfByOrigin.get(o) ?? 0) + micros);
  });
  const busy = total - idle;
  const perCall = (micros: number): string =>
    perCalls === undefined ? '' : `  ${(micros / perCalls).toFixed(1).padStart(6)} us/call`;
  const line = (name: string, micros: number): string => {
    const share = `${((micros / busy) * 100).toFixed(1).padStart(5)}% of busy`;
    return `${share}  ${(micros / 1_000).toFixed(0).padStart(6)} ms${perCall(micros)}  ${name}`;
  };
  const top = (map: Map<string, number>, n: number): [string, number][] =>
    [...map]
      .filter(([k]) => !k.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n);
  const out = [
    `${file}: ${(total / 1_000).toFixed(0)} ms sampled, ${(busy / 1_000).toFixed(0)} ms busy${perCall(busy)}`,
    '',
    'self time by origin:',
  ];
  out.push(...top(selfByOrigin, 15).map(([name, micros]) => line(name, micros)));
  out.push('', `top ${topN} functions by self time:`);
  out.push(...top(selfByFunction, topN).map(([name, micros]) => line(name, micros)));
  out.push('', 'project code (src/) by self time:');
  const own = new Map([...selfByFunction].filter(([k]) => /\s(src)\//.test(k)));
  out.push(...top(own, 25).map(([name, micros]) => line(name, micros)));
  return out.join('\n');
}
