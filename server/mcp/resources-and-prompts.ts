import { completable, ResourceTemplate, type McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { PROJECTS } from './projects';
import type { ToolContext } from './tool-context';

function completeProjectId(value: string): string[] {
  return PROJECTS.map((project) => project.id).filter((id) => id.startsWith(value));
}

// Built once per process, not per session (see tools/basic-tools.ts).
const PROMPT_ARGS = z.object({ projectId: completable(z.string(), completeProjectId) });
const PROJECT_TEMPLATE = new ResourceTemplate('archon://projects/{id}', {
  list: () => ({
    resources: PROJECTS.map((project) => ({ uri: `archon://projects/${project.id}`, name: project.name })),
  }),
  complete: { id: completeProjectId },
});

/**
 * Registers the non-tool surface the client must cover: a static resource (`archon://status`), a
 * template (`archon://projects/{id}`) with completion, subscribe/unsubscribe, and a prompt
 * (`summarize_project`) whose `projectId` argument completes.
 *
 * @example
 * ```ts
 * registerResourcesAndPrompts(new McpServer({ name: 'demo', version: '1.0.0' }), context);
 * ```
 */
export function registerResourcesAndPrompts(server: McpServer, context: ToolContext): void {
  server.registerResource(
    'status',
    'archon://status',
    { description: 'Server status as JSON', mimeType: 'application/json' },
    (uri) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: 'application/json',
          text: JSON.stringify({ status: 'ok', uptimeMs: Date.now() - context.startedAt, sessions: context.liveSessions() }),
        },
      ],
    }),
  );

  server.registerResource(
    'project',
    PROJECT_TEMPLATE,
    { description: 'One project as JSON', mimeType: 'application/json' },
    (uri, { id }) => {
      const project = PROJECTS.find((candidate) => candidate.id === id);
      if (project === undefined) throw new Error(`Unknown project ${String(id)}`);
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(project) }] };
    },
  );

  // McpServer has no subscribe support of its own; the capability is declared in createMcpServer.
  server.server.setRequestHandler('resources/subscribe', (request) => {
    context.subscriptions.add(request.params.uri);
    return {};
  });
  server.server.setRequestHandler('resources/unsubscribe', (request) => {
    context.subscriptions.delete(request.params.uri);
    return {};
  });

  server.registerPrompt(
    'summarize_project',
    {
      description: 'Asks for a summary of one project.',
      argsSchema: PROMPT_ARGS,
    },
    ({ projectId }) => {
      const project = PROJECTS.find((candidate) => candidate.id === projectId);
      const about = project ? `${project.name}: ${project.description}` : `an unknown project (${projectId})`;
      return { messages: [{ role: 'user', content: { type: 'text', text: `Summarize ${about}.` } }] };
    },
  );
}
