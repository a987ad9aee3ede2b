/**
 * The `--oauth-*` flags of `archon-mcp serve` (and their `MCP_OAUTH_*` variables), turned into the `oauth` option.
 * Syntax only: a malformed value is a usage error here; the option's own validation runs at start-up.
 */
import type { OAuthResourceOptions } from './oauth-options';

/** A flag's value, from the command line or else the environment (serve.ts's `pick`). */
type Pick = (flag: OAuthFlag) => string | undefined;

/**
 * The flags, in the order `--help` lists them.
 *
 * @example
 * ```ts
 * OAUTH_FLAGS.includes('oauth-issuer'); // true
 * ```
 */
export const OAUTH_FLAGS = [
  'oauth-issuer',
  'oauth-resource',
  'oauth-audience',
  'oauth-jwks-uri',
  'oauth-scopes',
  'oauth-tool-scopes',
] as const;

/** One of {@link OAUTH_FLAGS}. */
export type OAuthFlag = (typeof OAUTH_FLAGS)[number];

function url(flag: OAuthFlag, raw: string): string {
  if (!URL.canParse(raw.trim())) throw new TypeError(`Expected \`--${flag}\` to be an absolute URL, got ${JSON.stringify(raw)}`);
  return raw.trim();
}

/** Scopes separated by spaces or commas (scope tokens practically never contain a comma). */
function scopes(raw: string): string[] {
  return raw.split(/[\s,]+/).filter((scope) => scope.length > 0);
}

/** `tool=scope scope,tool2=scope`: entries by comma, the tool before the first `=`, its scopes by space. */
function toolScopes(raw: string): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const entry of raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0)) {
    const at = entry.indexOf('=');
    const tool = entry.slice(0, at).trim();
    const needed = entry
      .slice(at + 1)
      .split(/\s+/)
      .filter((scope) => scope.length > 0);
    if (at <= 0 || needed.length === 0) {
      throw new TypeError(`Expected \`--oauth-tool-scopes\` to be tool=scope[ scope...][,tool=scope...], got ${JSON.stringify(raw)}`);
    }
    result[tool] = needed;
  }
  return result;
}

/**
 * The `oauth` option the flags describe, or undefined when no `--oauth-*` flag is given. Any of them without
 * `--oauth-issuer` is a usage error.
 *
 * @example
 * ```ts
 * oauthFromFlags((flag) => ({ 'oauth-issuer': 'https://auth.example.com' })[flag]); // { issuer: 'https://auth.example.com' }
 * ```
 */
export function oauthFromFlags(pick: Pick): OAuthResourceOptions | undefined {
  const values = new Map(OAUTH_FLAGS.map((flag) => [flag, pick(flag)]));
  const given = OAUTH_FLAGS.filter((flag) => values.get(flag) !== undefined);
  if (given.length === 0) return undefined;
  const issuer = values.get('oauth-issuer');
  if (issuer === undefined) throw new TypeError(`Expected \`--oauth-issuer\` with \`--${given[0]}\`, got none`);
  const options: OAuthResourceOptions = { issuer: url('oauth-issuer', issuer) };
  const resource = values.get('oauth-resource');
  if (resource !== undefined) options.resource = url('oauth-resource', resource);
  const audience = values.get('oauth-audience');
  if (audience !== undefined) options.audience = scopes(audience);
  const jwksUri = values.get('oauth-jwks-uri');
  if (jwksUri !== undefined) options.jwksUri = url('oauth-jwks-uri', jwksUri);
  const required = values.get('oauth-scopes');
  if (required !== undefined) options.requiredScopes = scopes(required);
  const perTool = values.get('oauth-tool-scopes');
  if (perTool !== undefined) options.toolScopes = toolScopes(perTool);
  return options;
}
