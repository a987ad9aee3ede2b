import { expect, test } from 'vitest';
import type { CliIo } from '../../src/cli/cli-io';
import { runCli } from '../../src/cli/run-cli';

test('serve starts the reference server, answers health, and exits 0 when aborted', async () => {
  let stdout = '';
  let stderr = '';
  let announced: (url: string) => void = () => {};
  const listening = new Promise<string>((resolve) => (announced = resolve));
  const controller = new AbortController();
  const io: CliIo = {
    stdout: {
      write: (chunk: string) => {
        stdout += chunk;
        const url = /listening on (\S+)/.exec(stdout)?.[1];
        if (url !== undefined) announced(url);
      },
    },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env: {},
    signal: controller.signal,
  };

  const serving = runCli(['serve', '--port', '0', '--host', '127.0.0.1', '--store', 'memory'], io);
  const url = await listening;
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);

  let healthOut = '';
  const health = await runCli(['health', url, '--json'], {
    stdout: { write: (chunk: string) => (healthOut += chunk) },
    stderr: { write: () => true },
    env: {},
  });
  expect(health).toBe(0);
  expect(JSON.parse(healthOut).healthy).toBe(true);

  controller.abort();
  expect(await serving).toBe(0);
  expect(stderr).toBe('');
});

test('serve prints one line on shutdown, without --log', async () => {
  let stdout = '';
  const controller = new AbortController();
  let announced: () => void = () => {};
  const listening = new Promise<void>((resolve) => (announced = resolve));
  const io: CliIo = {
    stdout: {
      write: (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('listening on')) announced();
      },
    },
    stderr: { write: () => true },
    env: {},
    signal: controller.signal,
  };
  const serving = runCli(['serve', '--port', '0', '--store', 'memory'], io);
  await listening;
  controller.abort();
  expect(await serving).toBe(0);
  const url = /listening on (\S+)/.exec(stdout)?.[1];
  expect(stdout.split('\n')).toEqual([`Archon MCP server listening on ${url}`, `Archon MCP server on ${url} stopped`, '']);
});

test.each([
  [['--session-ttl', '0'], {}, 'archon-mcp: Expected `--session-ttl` to be a positive integer, got 0'],
  [[], { MCP_SESSION_TTL_MS: '0' }, 'archon-mcp: Expected `MCP_SESSION_TTL_MS` to be a positive integer, got 0'],
  [['--port', '70000'], {}, 'archon-mcp: Expected `--port` to be an integer from 0 to 65535, got 70000'],
  [['--path', 'mcp'], {}, 'archon-mcp: Expected `--path` to start with "/", got "mcp"'],
])('serve %j %j: a usage error naming the flag or variable, exit 2, nothing started', async (argv, env, line) => {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['serve', '--store', 'memory', ...argv], {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env,
  });
  expect(code).toBe(2);
  expect(stdout).toBe('');
  expect(stderr.split('\n')).toEqual([line, 'Run `archon-mcp serve --help` for usage.', '']);
});
