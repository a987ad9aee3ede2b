/**
 * YOUR server, as the session-layer examples mount it: a plain `McpServer` from `@modelcontextprotocol/server`,
 * built by a factory. Nothing here knows about sessions, stores or eras; the session layer adds those.
 */
import { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { SessionServerFactory } from '../server/index'; // in your project: from 'archon-mcp-client/server'

/** Your application's state: shared by every session, every instance of the server below. */
export const notes: string[] = [];

/** The resource every note changes. */
export const NOTES_URI = 'notes://all';

/**
 * One `McpServer` per legacy session (it lives as long as the session) and one per 2026-07-28 request.
 * `resources: { subscribe: true }` is all a server needs for subscriptions: the session layer keeps them.
 */
export const createNotesServer: SessionServerFactory = () => {
  const server = new McpServer({ name: 'notes', version: '1.0.0' }, { capabilities: { resources: { subscribe: true } } });
  server.registerResource('notes', NOTES_URI, { mimeType: 'application/json' }, (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(notes) }],
  }));
  server.registerTool(
    'add_note',
    { description: 'Adds a note.', inputSchema: { text: z.string() }, outputSchema: { count: z.number() } },
    async ({ text }) => {
      notes.push(text);
      // The SDK's own route: every session subscribed to the URI hears it, on every instance sharing the store.
      await server.server.sendResourceUpdated({ uri: NOTES_URI });
      return { content: [{ type: 'text', text: `${notes.length} notes` }], structuredContent: { count: notes.length } };
    },
  );
  return server;
};
