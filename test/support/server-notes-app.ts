/**
 * A USER-DEFINED server for the session-layer tests: nothing of the reference server's demo tools, just what a
 * user would write with `@modelcontextprotocol/server` and hand to `createSessionHandler`. Notes are shared by
 * every session (the user's own state); executions are counted so tests prove exactly-once.
 */
import {
  acceptedContent,
  inputRequired,
  McpServer,
  type CallToolResult,
  type InputRequiredResult,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { SessionServerFactory } from '../../server/index';

/** The resource every change to the notes updates. */
export const NOTES_URI = 'notes://all';

export interface NotesApp {
  createServer: SessionServerFactory;
  readonly notes: string[];
  /** `add_note` executions, across every session and request. */
  executions(): number;
  /** Server instances the factory built, by era. */
  readonly built: { legacy: number; modern: number };
}

/**
 * @example
 * ```ts
 * const app = createNotesApp();
 * await using mcp = await createSessionHandler({ createServer: app.createServer });
 * ```
 */
export function createNotesApp(): NotesApp {
  const notes: string[] = [];
  const built = { legacy: 0, modern: 0 };
  let executions = 0;
  const createServer: SessionServerFactory = ({ era, appSessionId, session, requestState }) => {
    built[era] += 1;
    const server = new McpServer(
      { name: 'notes', version: '1.0.0' },
      { capabilities: { resources: { subscribe: true }, logging: {} }, requestState: { verify: requestState.verify } },
    );
    server.registerResource('all-notes', NOTES_URI, { mimeType: 'application/json' }, (uri) => ({
      contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(notes) }],
    }));
    server.registerTool(
      'add_note',
      { description: 'Adds a note (not idempotent).', inputSchema: { text: z.string() }, annotations: { idempotentHint: false } },
      async ({ text }) => {
        executions += 1;
        notes.push(text);
        // The SDK's own route: the session layer delivers it to every subscriber of the URI.
        await server.server.sendResourceUpdated({ uri: NOTES_URI });
        return { content: [{ type: 'text', text: `${notes.length} notes` }], structuredContent: { count: notes.length } };
      },
    );
    server.registerTool('list_notes', { description: 'Lists the notes.', annotations: { readOnlyHint: true } }, () => ({
      content: [{ type: 'text', text: JSON.stringify(notes) }],
      structuredContent: { notes: [...notes] },
    }));
    server.registerTool('whoami', { description: 'The era and sessions this call was served under.', annotations: { readOnlyHint: true } }, () => {
      const who = {
        era,
        appSessionId: appSessionId ?? null,
        sessionId: session?.sessionId ?? null,
        clientCapabilities: server.server.getClientCapabilities() ?? null,
      };
      return { content: [{ type: 'text', text: JSON.stringify(who) }], structuredContent: who };
    });
    server.registerTool(
      'wipe_notes',
      { description: 'Wipes the notes after a confirmation round (2026-07-28 input_required with sealed requestState).' },
      async (ctx): Promise<CallToolResult | InputRequiredResult> => {
        const state = ctx.mcpReq.requestState<{ step: string }>();
        if (state?.step !== 'asked') {
          return inputRequired({
            inputRequests: {
              confirm: inputRequired.elicit({
                message: 'Wipe every note?',
                requestedSchema: { type: 'object', properties: { confirm: { type: 'boolean' } }, required: ['confirm'] },
              }),
            },
            requestState: await requestState.mint({ step: 'asked' }),
          });
        }
        const answer = acceptedContent<{ confirm: boolean }>(ctx.mcpReq.inputResponses, 'confirm');
        if (answer?.confirm !== true) return { content: [{ type: 'text', text: 'kept' }], structuredContent: { wiped: 0 } };
        const wiped = notes.splice(0).length;
        return { content: [{ type: 'text', text: `wiped ${wiped}` }], structuredContent: { wiped } };
      },
    );
    return server;
  };
  return { createServer, notes, executions: () => executions, built };
}
