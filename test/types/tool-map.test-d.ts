import { describe, expectTypeOf, test } from 'vitest';
import type { AnyToolMap, ToolArgs, ToolMap, ToolName, ToolResult } from '../../src/typed/tool-map';

type Tools = {
  echo: { args: { text: string }; result: { text: string } };
  find_projects: {
    args: { query: string; limit?: number };
    result: { projects: { id: string; status: 'active' | 'archived' }[]; total: number };
  };
  health_check: { args: Record<string, never>; result: undefined };
};

/** The `MCPClient.callTool` signature, so these tests pin the contract the client implements. */
declare function callTool<Map extends ToolMap, N extends ToolName<Map>>(
  name: N,
  args: ToolArgs<Map, N>,
): Promise<ToolResult<Map, N>>;
const call = <N extends ToolName<Tools>>(name: N, args: ToolArgs<Tools, N>) => callTool<Tools, N>(name, args);

describe('ToolMap', () => {
  test('a hand-written map of type aliases is a ToolMap', () => {
    expectTypeOf<Tools>().toExtend<ToolMap>();
  });

  test('tool names are the map keys', () => {
    expectTypeOf<ToolName<Tools>>().toEqualTypeOf<'echo' | 'find_projects' | 'health_check'>();
  });

  test('arguments and structured results are inferred from the tool name', async () => {
    const found = await call('find_projects', { query: 'auth' });
    expectTypeOf(found.structuredContent).toEqualTypeOf<Tools['find_projects']['result'] | undefined>();
    expectTypeOf(found.content).toExtend<unknown[]>();
    expectTypeOf(found.isError).toEqualTypeOf<boolean | undefined>();
    const echoed = await call('echo', { text: 'hi' });
    expectTypeOf(echoed.structuredContent?.text).toEqualTypeOf<string | undefined>();
    const health = await call('health_check', {});
    expectTypeOf(health.structuredContent).toEqualTypeOf<undefined>();
  });

  test('a wrong tool name, argument name, argument type or result field does not compile', async () => {
    // @ts-expect-error unknown tool
    void call('find_project', { query: 'auth' });
    // @ts-expect-error misspelt argument
    void call('find_projects', { qury: 'auth' });
    // @ts-expect-error missing required argument
    void call('find_projects', { limit: 1 });
    // @ts-expect-error wrong argument type
    void call('find_projects', { query: 'auth', limit: '1' });
    // @ts-expect-error a tool without arguments takes none
    void call('health_check', { verbose: true });
    const found = await call('find_projects', { query: 'auth' });
    // @ts-expect-error undeclared result field
    void found.structuredContent?.count;
    // @ts-expect-error wrong result field type
    const total: string | undefined = found.structuredContent?.total;
    void total;
  });

  test('without a map, any tool name and object arguments are accepted', async () => {
    const anything = await callTool<AnyToolMap, 'whatever'>('whatever', { a: 1 });
    expectTypeOf(anything.structuredContent).toEqualTypeOf<Record<string, unknown> | undefined>();
  });
});
