import { acceptedContent, inputRequired, type CallToolResult, type InputRequiredResult, type McpServer, type RequestStateCodec } from '@modelcontextprotocol/server';

function okSchema(): { type: 'object'; properties: { ok: { type: 'boolean' } }; required: string[] } {
  return { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] };
}

function nameSchema(property: string): { type: 'object'; properties: Record<string, { type: 'string' }>; required: string[] } {
  return { type: 'object', properties: { [property]: { type: 'string' } }, required: [property] };
}

const done = (text: string): CallToolResult => ({ content: [{ type: 'text', text }] });

/**
 * The conformance suite's 2026-07-28 input_required fixtures that exercise the session layer's sealed
 * `requestState` (SEP-2322): a state round-trip, a tampered state (refused by the codec's verify hook with
 * -32602 before the handler runs), a single elicitation, and a multi-round flow whose state evolves. Every
 * state is minted with the handler's codec, so any instance sharing the store completes a round.
 *
 * @example
 * ```ts
 * registerConformanceInputFixtures(server, context.requestState);
 * ```
 */
export function registerConformanceInputFixtures(server: McpServer, codec: RequestStateCodec): void {
  server.registerTool('test_input_required_result_request_state', { description: 'MRTR: returns requestState' }, async (ctx): Promise<CallToolResult | InputRequiredResult> => {
    const state = ctx.mcpReq.requestState<{ kind?: string }>();
    if (state?.kind === 'request-state' && acceptedContent<{ ok: boolean }>(ctx.mcpReq.inputResponses, 'confirm')?.ok === true) {
      return done('state-ok: requestState validated');
    }
    return inputRequired({
      inputRequests: { confirm: inputRequired.elicit({ message: 'Please confirm', requestedSchema: okSchema() }) },
      requestState: await codec.mint({ kind: 'request-state' }),
    });
  });
  server.registerTool('test_input_required_result_tampered_state', { description: 'MRTR: sealed requestState' }, async (ctx): Promise<CallToolResult | InputRequiredResult> => {
    // Reached with a state only when the codec verified it: tampering never gets here.
    if (ctx.mcpReq.requestState<{ kind?: string }>()?.kind === 'tamper-test') return done('integrity-ok: state verified');
    return inputRequired({
      inputRequests: { confirm: inputRequired.elicit({ message: 'Please confirm', requestedSchema: okSchema() }) },
      requestState: await codec.mint({ kind: 'tamper-test' }),
    });
  });
  server.registerTool('test_input_required_result_elicitation', { description: 'MRTR: one elicitation' }, (ctx): CallToolResult | InputRequiredResult => {
    const answer = acceptedContent<{ name: string }>(ctx.mcpReq.inputResponses, 'user_name');
    if (answer !== undefined) return done(`Hello, ${answer.name}!`);
    return inputRequired({ inputRequests: { user_name: inputRequired.elicit({ message: 'What is your name?', requestedSchema: nameSchema('name') }) } });
  });
  server.registerTool('test_input_required_result_multi_round', { description: 'MRTR: two rounds' }, async (ctx): Promise<CallToolResult | InputRequiredResult> => {
    const state = ctx.mcpReq.requestState<{ round?: number; name?: string }>();
    const step1 = acceptedContent<{ name: string }>(ctx.mcpReq.inputResponses, 'step1');
    const step2 = acceptedContent<{ color: string }>(ctx.mcpReq.inputResponses, 'step2');
    if (state?.round === 2 && step2 !== undefined) return done(`Multi-round complete for ${state.name ?? 'friend'} who likes ${step2.color}`);
    if (state?.round === 1 && step1 !== undefined) {
      return inputRequired({
        inputRequests: { step2: inputRequired.elicit({ message: 'Step 2: What is your favorite color?', requestedSchema: nameSchema('color') }) },
        requestState: await codec.mint({ round: 2, name: step1.name }),
      });
    }
    return inputRequired({
      inputRequests: { step1: inputRequired.elicit({ message: 'Step 1: What is your name?', requestedSchema: nameSchema('name') }) },
      requestState: await codec.mint({ round: 1 }),
    });
  });
}
