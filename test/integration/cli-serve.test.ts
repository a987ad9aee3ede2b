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
