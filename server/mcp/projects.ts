/** One demo project served by `find_projects` and the `archon://projects/{id}` resource. */
export interface Project {
  id: string;
  name: string;
  description: string;
}

/**
 * The fixed demo data set: small, deterministic, so tests can assert exact results.
 *
 * @example
 * ```ts
 * PROJECTS.find((project) => project.id === 'auth-service');
 * ```
 */
export const PROJECTS: readonly Project[] = [
  { id: 'auth-service', name: 'Auth service', description: 'OAuth 2.1 login, tokens and session auth' },
  { id: 'billing', name: 'Billing', description: 'Invoices, payments and refunds' },
  { id: 'search-index', name: 'Search index', description: 'Full-text search over documents' },
  { id: 'mcp-gateway', name: 'MCP gateway', description: 'Routes MCP sessions to tool servers with auth' },
  { id: 'notifications', name: 'Notifications', description: 'Email, push and webhook delivery' },
];
