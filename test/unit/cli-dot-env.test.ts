import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { readDotEnv } from '../../src/cli/dot-env';

const dirs: string[] = [];
function dirWith(content?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'archon-dotenv-'));
  dirs.push(dir);
  if (content !== undefined) writeFileSync(join(dir, '.env'), content);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

test('reads ./.env, drops empty values (as in .env.example) and comments', () => {
  const dir = dirWith('# comment\nMCP_PORT=9001\nMCP_AUTH_TOKEN=\nMCP_STORE="memory"\nARCHON_MCP_URL=http://localhost:9001/mcp\n');
  expect(readDotEnv(dir)).toEqual({ MCP_PORT: '9001', MCP_STORE: 'memory', ARCHON_MCP_URL: 'http://localhost:9001/mcp' });
});

test('no .env: nothing', () => {
  expect(readDotEnv(dirWith())).toEqual({});
});

test('the repository .env.example parses, and every non-empty value is a serve setting or the client URL', () => {
  const dir = dirWith(readFileSync(join(import.meta.dirname, '../../.env.example'), 'utf8'));
  const parsed = readDotEnv(dir);
  expect(Object.keys(parsed).every((key) => key === 'ARCHON_MCP_URL' || key.startsWith('MCP_'))).toBe(true);
  expect(parsed.MCP_AUTH_TOKEN).toBeUndefined();
});
