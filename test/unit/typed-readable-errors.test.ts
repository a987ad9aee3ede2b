/**
 * Issue #10 item 7: a misspelt argument must fail with a message a person can act on ("did you mean
 * 'text'", "'verbose' does not exist in type ..."), not "Type 'string' is not assignable to type 'never'".
 * `@ts-expect-error` proves that something fails; this proves what the user reads.
 */
import { describe, expect, test } from 'vitest';
import { typeCheck } from '../support/type-check';

const USAGE = `
  import type { ReferenceTools } from '../../examples/generated/reference-tools';
  import type { MCPClient } from '../../src/client/mcp-client';
  import { callMcpTool } from '../../src/helpers/call-mcp-tool';
  declare const client: MCPClient<ReferenceTools>;
  const url = 'http://localhost:8051/mcp';
  void client.callTool('echo', { txt: 'hi' });
  void callMcpTool<ReferenceTools>('echo', { txt: 'hi' }, { url });
  void callMcpTool<ReferenceTools, 'echo'>('echo', { txt: 'hi' }, { url });
  void client.callTool('health_check', { verbose: true });
  void callMcpTool<ReferenceTools>('health_check', { verbose: true }, { url });
`;

describe('type errors for wrong tool arguments are readable', () => {
  test('each misuse gives one diagnostic that names the property, never "not assignable to type never"', () => {
    const messages = typeCheck(import.meta.dirname, { 'virtual-readable-usage.ts': USAGE }, { lib: ['lib.es2023.d.ts', 'lib.esnext.disposable.d.ts', 'lib.dom.d.ts'] });
    expect(messages).toHaveLength(5);
    for (const message of messages.slice(0, 3)) expect(message).toContain("'txt' does not exist in type 'EchoArgs'. Did you mean to write 'text'?");
    for (const message of messages.slice(3)) expect(message).toContain("'verbose' does not exist in type 'NoArguments'");
    for (const message of messages) expect(message).not.toMatch(/not assignable to type 'never'/);
  }, 120_000); // a whole type-check program: seconds alone, tens of seconds on a loaded 2-core machine
});
