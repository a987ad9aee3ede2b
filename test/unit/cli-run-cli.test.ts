import { describe, expect, test } from 'vitest';
import { runCliCaptured } from '../support/run-cli-captured';
import { CLIENT_VERSION } from '../../src/client/version';

const run = runCliCaptured;

describe('runCli: help and version', () => {
  test('--help lists every command and exits 0', async () => {
    const { code, stdout, stderr } = await run(['--help']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    for (const command of ['health', 'call', 'tools', 'types', 'serve', 'sessions']) expect(stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  test('no command prints the help on stderr and exits 2', async () => {
    const { code, stdout, stderr } = await run([]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^Usage: archon-mcp <command>/);
  });

  test('--version prints the package version', async () => {
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `${CLIENT_VERSION}\n`, stderr: '' });
    expect((await run(['-v'])).stdout).toBe(`${CLIENT_VERSION}\n`);
  });

  test.each(['health', 'call', 'tools', 'types', 'sessions'])('%s --help prints its own usage and exits 0 without connecting', async (command) => {
    const { code, stdout } = await run([command, '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Usage: archon-mcp ${command} `));
  });

  test('serve --help prints the server options', async () => {
    const { code, stdout } = await run(['serve', '-h']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: archon-mcp serve/);
    expect(stdout).toContain('--store <spec>');
  });
});

describe('runCli: usage errors exit 2 with one clear line and a pointer to --help', () => {
  test.each([
    [['deploy'], 'archon-mcp: Unknown command "deploy" (expected one of: health, call, tools, types, serve, sessions, login, logout)', '--help'],
    [['health', '--bogus'], "archon-mcp: Unknown option '--bogus'", 'health --help'],
    [['health', '--timeout', 'soon'], 'archon-mcp: Expected `--timeout` to be a positive integer, got "soon"', 'health --help'],
    [['health', '--timeout', '0'], 'archon-mcp: Expected `--timeout` to be a positive integer, got "0"', 'health --help'],
    [['health', 'ftp://x/mcp'], 'archon-mcp: Expected the server URL to be an http(s) URL, got "ftp://x/mcp"', 'health --help'],
    [['tools', 'http://a/mcp', 'http://b/mcp'], 'archon-mcp: Unexpected argument "http://b/mcp"', 'tools --help'],
    [['call'], 'archon-mcp: Expected a tool name: archon-mcp call <tool> [key=value ...]', 'call --help'],
    [['call', 'echo', 'text'], 'archon-mcp: Expected a tool argument as key=value, got "text"', 'call --help'],
    [['call', 'echo', '--args', '[1]'], 'archon-mcp: Expected `--args` to be a JSON object, got "[1]"', 'call --help'],
    [['types', '--check'], 'archon-mcp: Expected `--out <file>` with `--check`: there is no file to compare against', 'types --help'],
    [['serve', '--port', 'eighty'], 'archon-mcp: Expected `--port` to be a non-negative integer, got "eighty"', 'serve --help'],
  ])('%j', async (argv, firstLine, helpCommand) => {
    const { code, stdout, stderr } = await run(argv, { ARCHON_MCP_URL: 'http://127.0.0.1:9/mcp' });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')).toEqual([firstLine, `Run \`archon-mcp ${helpCommand}\` for usage.`, '']);
  });

  test('an invalid ARCHON_MCP_URL is a usage error too', async () => {
    const { code, stderr } = await run(['tools'], { ARCHON_MCP_URL: 'not a url' });
    expect(code).toBe(2);
    expect(stderr).toContain('Expected the server URL to be an http(s) URL, got "not a url"');
  });
});

describe('runCli: --verbose', () => {
  test('is accepted before the command and by commands that do not declare it', async () => {
    expect((await run(['--verbose', '--version'])).code).toBe(0);
    const serve = await run(['serve', '--verbose', '--port', 'x']);
    expect(serve.code).toBe(2);
    expect(serve.stderr).toMatch(/^archon-mcp: Expected `--port` to be a non-negative integer, got "x"\n/);
  });
});
