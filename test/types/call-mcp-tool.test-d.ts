/**
 * Issue #10 item 7: `callMcpTool` with a tool map checks what `MCPClient<Tools>.callTool` checks. TypeScript
 * infers no type argument once one is written (microsoft/TypeScript#26242), so the exact result type needs
 * the tool's name as the second type argument; with the map alone, name and arguments are still checked
 * together.
 */
import { describe, expectTypeOf, test } from 'vitest';
import type { ReferenceTools } from '../../examples/generated/reference-tools';
import { callMcpTool } from '../../src/helpers/call-mcp-tool';

declare const url: string;

describe('callMcpTool typing', () => {
  test('without type arguments: any tool, object arguments, a loose structuredContent', async () => {
    const result = await callMcpTool('anything', { a: 1 }, { url });
    expectTypeOf(result.structuredContent).toEqualTypeOf<Record<string, unknown> | undefined>();
  });

  test('<Tools, name>: arguments and result typed exactly, as with MCPClient<Tools>', async () => {
    const found = await callMcpTool<ReferenceTools, 'find_projects'>('find_projects', { query: 'auth' }, { url });
    expectTypeOf(found.structuredContent.total).toEqualTypeOf<number>();
    const echoed = await callMcpTool<ReferenceTools, 'echo'>('echo', { text: 'hi' }, { url, timeoutMs: 5_000 });
    expectTypeOf(echoed.structuredContent.text).toEqualTypeOf<string>();
  });

  test('<Tools, name> with throwOnError: false narrows on isError', async () => {
    const outcome = await callMcpTool<ReferenceTools, 'echo'>('echo', { text: 'hi' }, { url, throwOnError: false });
    if (outcome.isError) expectTypeOf(outcome.structuredContent).toEqualTypeOf<ReferenceTools['echo']['result'] | undefined>();
    else expectTypeOf(outcome.structuredContent.text).toEqualTypeOf<string>();
  });

  test('<Tools>: the name and the arguments are checked together', async () => {
    const result = await callMcpTool<ReferenceTools>('echo', { text: 'hi' }, { url });
    expectTypeOf(result.structuredContent).toExtend<ReferenceTools[keyof ReferenceTools]['result'] | undefined>();
    // @ts-expect-error unknown tool
    void callMcpTool<ReferenceTools>('ech', { text: 'hi' }, { url });
    // @ts-expect-error misspelt argument
    void callMcpTool<ReferenceTools>('echo', { txt: 'hi' }, { url });
    // @ts-expect-error another tool's arguments
    void callMcpTool<ReferenceTools>('echo', { query: 'auth' }, { url });
    // @ts-expect-error health_check takes no arguments
    void callMcpTool<ReferenceTools>('health_check', { verbose: true }, { url });
  });

  test('<Tools, name>: wrong arguments and result fields do not compile', async () => {
    // @ts-expect-error misspelt argument
    void callMcpTool<ReferenceTools, 'echo'>('echo', { txt: 'hi' }, { url });
    // @ts-expect-error the name must match the type argument
    void callMcpTool<ReferenceTools, 'echo'>('find_projects', { text: 'hi' }, { url });
    const echoed = await callMcpTool<ReferenceTools, 'echo'>('echo', { text: 'hi' }, { url });
    // @ts-expect-error undeclared result field
    void echoed.structuredContent.message;
  });

  test('an unknown option key does not compile either', () => {
    // @ts-expect-error `timeout` is `timeoutMs`
    void callMcpTool('echo', { text: 'hi' }, { url, timeout: 5_000 });
  });
});
