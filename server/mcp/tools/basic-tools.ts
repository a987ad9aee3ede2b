import type { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { ToolContext } from '../tool-context';
import { PROJECTS } from '../projects';

// Built once per process, not per session: a server is built for every legacy session (and every modern
// request), and constructing zod schemas was most of what registering these tools cost (about 0.3 ms).
const TEXT = z.object({ text: z.string() });
const HEALTH_OUTPUT = z.object({ status: z.literal('ok'), uptimeMs: z.number(), sessions: z.number() });
const FIND_INPUT = z.object({ query: z.string(), limit: z.number().int().positive().max(100).optional() });
const FIND_OUTPUT = z.object({
  projects: z.array(z.object({ id: z.string(), name: z.string(), description: z.string() })),
  total: z.number().int(),
});
const FAIL_INPUT = z.object({ message: z.string().optional() });

/**
 * Registers the stateless tools: `echo`, `health_check`, `session_health_check`, `find_projects`, `fail`.
 *
 * @example
 * ```ts
 * registerBasicTools(new McpServer({ name: 'demo', version: '1.0.0' }), context);
 * ```
 */
export function registerBasicTools(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'echo',
    {
      description: 'Returns the text it was given.',
      inputSchema: TEXT,
      outputSchema: TEXT,
      annotations: { readOnlyHint: true, idempotentHint: true },
    },
    ({ text }) => {
      context.recordToolRun('echo');
      return { content: [{ type: 'text', text }], structuredContent: { text } };
    },
  );

  server.registerTool(
    'health_check',
    {
      description: 'Reports that the server is up, its uptime and live session count.',
      outputSchema: HEALTH_OUTPUT,
      annotations: { readOnlyHint: true, idempotentHint: true },
    },
    () => {
      context.recordToolRun('health_check');
      const report = { status: 'ok' as const, uptimeMs: Date.now() - context.startedAt, sessions: context.liveSessions() };
      return { content: [{ type: 'text', text: JSON.stringify(report) }], structuredContent: report };
    },
  );

  server.registerTool(
    'session_health_check',
    {
      description: 'Describes the calling session: both ids, timestamps and how many requests it made.',
      annotations: { readOnlyHint: true, idempotentHint: true },
    },
    () => {
      context.recordToolRun('session_health_check');
      const health = context.describeSession();
      if (health === undefined) {
        return { content: [{ type: 'text', text: 'Session not registered' }], isError: true };
      }
      return { content: [{ type: 'text', text: JSON.stringify(health) }], structuredContent: { ...health } };
    },
  );

  server.registerTool(
    'find_projects',
    {
      description: 'Finds projects whose name or description contains the query (case-insensitive).',
      inputSchema: FIND_INPUT,
      outputSchema: FIND_OUTPUT,
      annotations: { readOnlyHint: true, idempotentHint: true },
    },
    ({ query, limit = 10 }) => {
      context.recordToolRun('find_projects');
      const needle = query.toLowerCase();
      const matches = PROJECTS.filter(
        (project) => project.name.toLowerCase().includes(needle) || project.description.toLowerCase().includes(needle),
      );
      const result = { projects: matches.slice(0, limit).map((project) => ({ ...project })), total: matches.length };
      return { content: [{ type: 'text', text: JSON.stringify(result) }], structuredContent: result };
    },
  );

  server.registerTool(
    'fail',
    {
      description: 'Always fails with a tool-level error (isError: true), never a protocol error.',
      inputSchema: FAIL_INPUT,
      annotations: { readOnlyHint: true, idempotentHint: true },
    },
    ({ message = 'The fail tool failed, as asked' }) => {
      context.recordToolRun('fail');
      return { content: [{ type: 'text', text: message }], isError: true };
    },
  );
}
