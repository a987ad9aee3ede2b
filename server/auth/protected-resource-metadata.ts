/**
 * RFC 9728 protected-resource metadata: the document a 401 challenge points at, served at the path-suffixed
 * well-known URL of the resource and at the root one (the spec's two discovery locations), with permissive CORS
 * so browser clients can read it, as the SDK's `oauthMetadataResponse` does.
 */
import type { ServerResponse } from 'node:http';
import type { OAuthProtectedResourceMetadata } from '@modelcontextprotocol/server';
import { metadataLocation, type ResolvedOAuthOptions } from './oauth-options';

const ALLOWED_METHODS = 'GET, HEAD, OPTIONS';

/**
 * @example
 * ```ts
 * const metadata = createProtectedResourceMetadata(options, 'https://mcp.example.com/mcp');
 * if (metadata.matches(request)) return metadata.response(request);
 * ```
 */
export interface ProtectedResourceMetadata {
  /** The path-suffixed URL (what challenges name). */
  readonly url: string;
  /** The paths the document is served at. */
  readonly paths: readonly string[];
  readonly document: OAuthProtectedResourceMetadata;
  /** Whether `request` asks for one of `paths`. */
  matches(request: Request): boolean;
  /** The answer to a request for the document (GET/HEAD 200, OPTIONS 204, others 405). */
  response(method?: string): Response;
  /** The same, written to a Node response. */
  send(method: string | undefined, res: ServerResponse): void;
}

/**
 * @example
 * ```ts
 * createProtectedResourceMetadata(options, resource).document.authorization_servers; // [options.issuer]
 * ```
 */
export function createProtectedResourceMetadata(options: ResolvedOAuthOptions, resource: string): ProtectedResourceMetadata {
  const { url, paths } = metadataLocation(resource);
  const scopes = [...new Set([...options.requiredScopes, ...[...options.toolScopes.values()].flat()])];
  const document: OAuthProtectedResourceMetadata = {
    resource,
    authorization_servers: [options.issuer],
    bearer_methods_supported: ['header'],
    ...(scopes.length === 0 ? {} : { scopes_supported: scopes }),
    ...(options.resourceName === undefined ? {} : { resource_name: options.resourceName }),
  };
  const body = JSON.stringify(document);
  const answer = (method = 'GET'): { status: number; headers: Record<string, string>; body: string | null } => {
    const cors = { 'access-control-allow-origin': '*' };
    if (method === 'OPTIONS') return { status: 204, headers: { ...cors, 'access-control-allow-methods': ALLOWED_METHODS }, body: null };
    if (method !== 'GET' && method !== 'HEAD') {
      return {
        status: 405,
        headers: { ...cors, allow: ALLOWED_METHODS, 'content-type': 'application/json' },
        body: '{"error":"method_not_allowed"}',
      };
    }
    // Clients re-read it on every 401; a short cache keeps that cheap without pinning a changed issuer for long.
    const headers = { ...cors, 'content-type': 'application/json', 'cache-control': 'public, max-age=300' };
    return { status: 200, headers, body: method === 'HEAD' ? null : body };
  };
  return {
    url,
    paths,
    document,
    matches: (request) => paths.includes(new URL(request.url).pathname.replace(/(.)\/$/, '$1')),
    response(method) {
      const { status, headers, body: content } = answer(method);
      return new Response(content, { status, headers });
    },
    send(method, res) {
      const { status, headers, body: content } = answer(method?.toUpperCase());
      res.writeHead(status, content === null ? headers : { ...headers, 'content-length': String(Buffer.byteLength(content)) });
      res.end(content ?? undefined);
    },
  };
}
