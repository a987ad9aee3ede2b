import { describe, expectTypeOf, test } from 'vitest';
import type { AnyToolMap, ToolArgs, ToolMap, ToolName, ToolResult, ToolResultOrError } from '../../src/typed/tool-map';

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
    expectTypeOf(found.structuredContent).toEqualTypeOf<Tools['find_projects']['result']>();
    expectTypeOf(found.content).toExtend<unknown[]>();
    expectTypeOf(found.isError).toEqualTypeOf<boolean | undefined>();
    const echoed = await call('echo', { text: 'hi' });
    expectTypeOf(echoed.structuredContent.text).toEqualTypeOf<string>();
    const health = await call('health_check', {});
    expectTypeOf(health.structuredContent).toEqualTypeOf<undefined>();
  });

  test('structuredContent is required when the map declares a result, optional when the result admits undefined', () => {
    expectTypeOf<ToolResult<Tools, 'echo'>>().toHaveProperty('structuredContent').toEqualTypeOf<{ text: string }>();
    expectTypeOf<{ structuredContent: { text: string } }>().toExtend<Pick<ToolResult<Tools, 'echo'>, 'structuredContent'>>();
    expectTypeOf<{ structuredContent?: { text: string } }>().not.toExtend<Pick<ToolResult<Tools, 'echo'>, 'structuredContent'>>();
    // No outputSchema (`result: undefined`) or the untyped map: nothing to promise.
    expectTypeOf<{}>().toExtend<Pick<ToolResult<Tools, 'health_check'>, 'structuredContent'>>();
    expectTypeOf<{}>().toExtend<Pick<ToolResult<AnyToolMap, 'any'>, 'structuredContent'>>();
  });

  test('with throwOnError: false the result narrows on isError', () => {
    const outcome = {} as ToolResultOrError<Tools, 'echo'>;
    if (outcome.isError) expectTypeOf(outcome.structuredContent).toEqualTypeOf<{ text: string } | undefined>();
    else expectTypeOf(outcome.structuredContent).toEqualTypeOf<{ text: string }>();
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
    void found.structuredContent.count;
    // @ts-expect-error wrong result field type
    const total: string = found.structuredContent.total;
    void total;
  });

  test('without a map, any tool name and object arguments are accepted', async () => {
    const anything = await callTool<AnyToolMap, 'whatever'>('whatever', { a: 1 });
    expectTypeOf(anything.structuredContent).toEqualTypeOf<Record<string, unknown> | undefined>();
  });
});
