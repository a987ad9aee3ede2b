import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCliCaptured } from '../support/run-cli-captured';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../server/index';

const run = runCliCaptured;

/** A loopback port with nothing listening: bind port 0, note it, close. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

let server: ReferenceServer;
let workDir: string;

beforeAll(async () => {
  server = await startReferenceServer({ port: 0, store: 'memory' });
  workDir = await mkdtemp(path.join(tmpdir(), 'archon-cli-'));
});

afterAll(async () => {
  await server?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('archon-mcp health', () => {
  test('exits 0 and reports each step for a healthy server', async () => {
    const { code, stdout, stderr } = await run(['health', server.url]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^healthy: ${server.url} \\(\\d+ ms\\)$`));
    expect(lines[1]).toMatch(/^server: archon-reference-server \S+ \(protocol \S+, \d+ tools\)$/);
    expect(lines.slice(2).map((line) => line.trim().split(/\s+/).slice(0, 2))).toEqual([
      ['ok', 'initialize'],
      ['ok', 'ping'],
      ['ok', 'tools/list'],
    ]);
  });

  test('--json prints one object with every key', async () => {
    const { code, stdout } = await run(['health', server.url, '--json', '--tool', 'health_check']);
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    const report = JSON.parse(stdout);
    expect(Object.keys(report)).toEqual(['healthy', 'url', 'latencyMs', 'serverInfo', 'protocolVersion', 'toolCount', 'auth', 'checks']);
    expect(report).toMatchObject({ healthy: true, url: server.url, serverInfo: { name: 'archon-reference-server' } });
    expect(report.checks.map((check: { name: string; ok: boolean }) => [check.name, check.ok])).toEqual([
      ['initialize', true],
      ['ping', true],
      ['tools/list', true],
      ['tool:health_check', true],
    ]);
    const { stdout: listed } = await run(['tools', server.url, '--json']);
    expect(report.toolCount).toBe(JSON.parse(listed).tools.length);
  });

  test('exits 1 when the probed tool reports an error', async () => {
    const before = server.stats().toolRuns.fail ?? 0;
    const { code, stdout } = await run(['health', server.url, '--json', '--tool', 'fail']);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.healthy).toBe(false);
    expect(report.checks.at(-1)).toMatchObject({ name: 'tool:fail', ok: false });
    expect(server.stats().toolRuns.fail).toBe(before + 1);
  });

  test('exits 1 quickly for a closed port', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/mcp`;
    const started = performance.now();
    const { code, stdout } = await run(['health', url, '--timeout', '300']);
    expect(code).toBe(1);
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(stdout).toMatch(new RegExp(`^UNHEALTHY: ${url} `));
    expect(stdout).toMatch(/FAIL {2}initialize/);
  });

  test('takes the URL from ARCHON_MCP_URL when none is given', async () => {
    const { code, stdout } = await run(['health', '--json'], { ARCHON_MCP_URL: server.url });
    expect(code).toBe(0);
    expect(JSON.parse(stdout).url).toBe(server.url);
  });
});

describe('archon-mcp call', () => {
  test('call echo text=hi prints the text and runs the tool once', async () => {
    const before = server.stats().toolRuns.echo ?? 0;
    const { code, stdout, stderr } = await run(['call', 'echo', 'text=hi', '--url', server.url]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout.split('\n')[0]).toBe('hi');
    expect(server.stats().toolRuns.echo).toBe(before + 1);
  });

  test('--json prints the CallToolResult with structured content', async () => {
    const { code, stdout } = await run(['call', 'echo', '--args', '{"text":"json"}', '--json', '--url', server.url]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ structuredContent: { text: 'json' } });
  });

  test('passes k=v values as JSON when they parse (limit=1 is a number the schema accepts)', async () => {
    const { code, stdout } = await run(['call', 'find_projects', 'query=auth', 'limit=1', '--json'], { ARCHON_MCP_URL: server.url });
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.isError).not.toBe(true);
    expect(result.structuredContent.projects).toHaveLength(1);
  });

  test('exits 1 with one line on stderr when the tool reports an error', async () => {
    const { code, stdout, stderr } = await run(['call', 'fail', '--url', server.url]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^archon-mcp: tool fail reported an error: /);
  });

  test('a misspelt tool name exits 1 with "did you mean" and never reaches tools/call', async () => {
    const before = server.stats().byRpcMethod['tools/call'] ?? 0;
    const { code, stdout, stderr } = await run(['call', 'find_project', 'query=auth', '--url', server.url]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^archon-mcp: Unknown tool "find_project"; did you mean "find_projects"\? The server lists: counter, echo, .*find_projects.*\.\n$/);
    expect(server.stats().byRpcMethod['tools/call'] ?? 0).toBe(before);
  });

  test('exits 1 with one line and no stack for a closed port; --verbose adds the stack', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/mcp`;
    const quiet = await run(['call', 'echo', 'text=x', '--url', url, '--timeout', '300']);
    expect(quiet.code).toBe(1);
    expect(quiet.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(quiet.stderr).toMatch(/^archon-mcp: /);
    const verbose = await run(['call', 'echo', 'text=x', '--url', url, '--timeout', '300', '--verbose']);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });
});

describe('archon-mcp tools', () => {
  test('lists every tool once, sorted, with annotations', async () => {
    const { code, stdout } = await run(['tools', server.url]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    const names = lines.slice(0, -1).map((line) => line.split(' ')[0]);
    expect(names).toEqual([...names].sort());
    expect(names).toContain('echo');
    expect(lines.at(-1)).toBe(`${names.length} tools`);
    expect(lines.find((line) => line.startsWith('find_projects '))).toMatch(/\[read-only, idempotent, structured output\]$/);
  });
});

describe('archon-mcp types', () => {
  test('-o writes the module, --check passes while it is fresh and fails once it is modified or missing', async () => {
    const file = path.join(workDir, 'mcp-tools.d.ts');
    const written = await run(['types', server.url, '-o', file]);
    expect(written.code).toBe(0);
    expect(written.stdout).toMatch(/^Wrote .*mcp-tools\.d\.ts \(\d+ tools\)\n$/);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('export type Tools = {');
    expect(text).toContain('  echo: {\n    args: EchoArgs;\n    result: EchoResult;\n  };');

    const fresh = await run(['types', server.url, '-o', file, '--check']);
    expect(fresh).toMatchObject({ code: 0, stderr: '' });
    expect(fresh.stdout).toMatch(/is up to date/);

    await writeFile(file, text.replace('text: string;', 'text: number;'));
    const stale = await run(['types', server.url, '-o', file, '--check']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/^archon-mcp: .*mcp-tools\.d\.ts is stale .*; regenerate with `archon-mcp types http:\/\/127\.0\.0\.1:\d+\/mcp -o /);

    const missing = await run(['types', server.url, '-o', path.join(workDir, 'absent.d.ts'), '--check']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/absent\.d\.ts does not exist/);
  });

  test('prints the same module to stdout without -o, and honours --type-name and --source', async () => {
    const { code, stdout } = await run(['types', server.url, '--type-name', 'ReferenceTools', '--source', 'the reference server']);
    expect(code).toBe(0);
    expect(stdout).toContain('export type ReferenceTools = {');
    expect(stdout).toContain(' * MCP tool types generated by `archon-mcp types` from the reference server.');
  });
});
