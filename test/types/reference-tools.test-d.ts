import { describe, expectTypeOf, test } from 'vitest';
import type { ReferenceTools } from '../../examples/generated/reference-tools';
import type { MCPClient } from '../../src/client/mcp-client';
import type { ToolMap } from '../../src/typed/tool-map';

// The module `archon-mcp types` generated from the reference server (npm run types:reference), used the way
// the README tells users to use theirs.
declare const client: MCPClient<ReferenceTools>;

describe('generated reference tool types with MCPClient', () => {
  test('the generated map is a ToolMap', () => {
    expectTypeOf<ReferenceTools>().toExtend<ToolMap>();
  });

  test('callTool infers arguments and structured results per tool', async () => {
    const found = await client.callTool('find_projects', { query: 'auth', limit: 2 });
    expectTypeOf(found.structuredContent.projects[0]?.id).toEqualTypeOf<string | undefined>();
    expectTypeOf(found.structuredContent.total).toEqualTypeOf<number>();
    const health = await client.callTool('health_check', {});
    expectTypeOf(health.structuredContent.status).toEqualTypeOf<'ok'>();
    const failed = await client.callTool('fail', {});
    expectTypeOf(failed.structuredContent).toEqualTypeOf<undefined>();
  });

  test('structuredContent needs no ?. for a tool with an outputSchema; with throwOnError: false, narrow on isError first', async () => {
    const echoed = await client.callTool('echo', { text: 'hi' });
    expectTypeOf(echoed.structuredContent.text).toEqualTypeOf<string>();
    const outcome = await client.callTool('echo', { text: 'hi' }, { throwOnError: false });
    // @ts-expect-error an error result may lack structuredContent
    void outcome.structuredContent.text;
    if (!outcome.isError) expectTypeOf(outcome.structuredContent.text).toEqualTypeOf<string>();
  });

  test('wrong tool names, arguments and result fields do not compile', async () => {
    // @ts-expect-error unknown tool
    void client.callTool('find_project', { query: 'auth' });
    // @ts-expect-error misspelt argument
    void client.callTool('echo', { txt: 'hi' });
    // @ts-expect-error wrong argument type
    void client.callTool('find_projects', { query: 'auth', limit: '2' });
    // @ts-expect-error health_check takes no arguments
    void client.callTool('health_check', { verbose: true });
    // @ts-expect-error enum argument outside its values
    void client.callTool('notify', { text: 'x', level: 'loud' });
    const echoed = await client.callTool('echo', { text: 'hi' });
    // @ts-expect-error undeclared result field
    void echoed.structuredContent.message;
  });
});
