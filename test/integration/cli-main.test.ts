import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { CLIENT_VERSION } from '../../src/client/version';

const MAIN = path.join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

/** Runs the real bin entry in a child process (through tsx, as `dist/cli.js` is not built in unit runs). */
async function runBin(args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      env: { ...process.env, ARCHON_MCP_URL: '' },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

test('the bin sets the process exit code from runCli: 0 for --version, 2 for a usage error', async () => {
  const [version, usage] = await Promise.all([runBin(['--version']), runBin(['health', '--bogus'])]);
  expect(version).toEqual({ code: 0, stdout: `${CLIENT_VERSION}\n`, stderr: '' });
  expect(usage.code).toBe(2);
  expect(usage.stderr).toBe("archon-mcp: Unknown option '--bogus'\nRun `archon-mcp health --help` for usage.\n");
});
