/**
 * Issue #10 item 9: from JavaScript, wrong argument shapes fail at the call site with a typed error, before
 * anything is sent; an unknown tool lists what the server does have. Real reference server; the server's
 * request count proves nothing went out.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InvalidArgumentError, MCPClient, UnknownToolError, isMcpClientError } from '../../src/index';
import { type ReferenceServer, startServer } from '../transport/wire-fixture';

let server: ReferenceServer;
let client: MCPClient;

beforeAll(async () => {
  server = await startServer();
  client = new MCPClient({ url: server.url, listen: false });
  await client.listTools();
});
afterAll(async () => {
  await client.close();
  await server.close();
});

// Plain JavaScript callers: the types would reject these.
const untyped = (name: unknown, args?: unknown, options?: unknown) => client.callTool(name as string, args as never, options as never);

describe('callTool rejects wrong shapes before sending', () => {
  test.each([
    ['a number as the name', 42, {}, 'name', 'Expected the tool name to be a non-empty string, got number 42'],
    ['an empty name', '', {}, 'name', 'Expected the tool name to be a non-empty string, got ""'],
    ['a string as arguments', 'echo', 'hi', 'args', 'Expected the arguments of tool echo to be an object like { key: value }, got "hi"'],
    ['an array as arguments', 'echo', ['hi'], 'args', 'Expected the arguments of tool echo to be an object like { key: value }, got an array'],
    ['null as arguments', 'echo', null, 'args', 'Expected the arguments of tool echo to be an object like { key: value }, got null'],
    ['a Map as arguments', 'echo', new Map(), 'args', 'Expected the arguments of tool echo to be an object like { key: value }, got an instance of Map'],
  ])('%s: InvalidArgumentError, nothing sent', async (_, name, args, argument, message) => {
    const before = server.stats().requests;
    const error = await untyped(name, args).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(isMcpClientError(error) && error.code).toBe('INVALID_ARGUMENT');
    expect(error).toMatchObject({ argument, message });
    expect(server.stats().requests).toBe(before);
  });

  test('arguments may be omitted (the tool gets none) and Object.create(null) is a plain object', async () => {
    await expect(untyped('health_check')).resolves.toMatchObject({ structuredContent: { status: 'ok' } });
    const args = Object.assign(Object.create(null) as Record<string, unknown>, { text: 'bare' });
    await expect(untyped('echo', args)).resolves.toMatchObject({ structuredContent: { text: 'bare' } });
  });
});

describe('an unknown tool', () => {
  test('UnknownToolError suggests the close name and lists the available tools; nothing sent', async () => {
    const before = server.stats().byRpcMethod['tools/call'] ?? 0;
    const error = await untyped('ecko', { text: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnknownToolError);
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name).sort();
    expect((error as UnknownToolError).availableTools).toEqual(names);
    expect((error as UnknownToolError).message).toBe(`Unknown tool "ecko"; did you mean "echo"? The server lists: ${names.join(', ')}.`);
    expect(server.stats().byRpcMethod['tools/call'] ?? 0).toBe(before);
  });
});
