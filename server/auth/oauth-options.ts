/**
 * The `oauth` option of the session layer: the handler as an OAuth 2.1 resource server (MCP authorization spec,
 * 2025-11-25 and 2026-07-28). Declared, defaulted and validated here; `resolveSessionLayerOptions` calls in.
 */
import { getOAuthProtectedResourceMetadataUrl } from '@modelcontextprotocol/server';

/**
 * The session layer as an OAuth resource server: it serves RFC 9728 metadata naming `issuer`, verifies JWT access
 * tokens against the issuer's keys (audience = `resource`), binds sessions to the token's subject and answers
 * 401/403 with a `WWW-Authenticate: Bearer` challenge. Defaults in `OAUTH_RESOURCE_DEFAULTS`.
 *
 * @example
 * ```ts
 * const oauth: OAuthResourceOptions = { issuer: 'https://auth.example.com', resource: 'https://mcp.example.com/mcp', requiredScopes: ['mcp'] };
 * ```
 */
export interface OAuthResourceOptions {
  /** The authorization server's issuer identifier: tokens must carry exactly this `iss`. `https:` unless loopback. */
  issuer: string;
  /**
   * The public URL of this MCP endpoint: the RFC 8707 resource, the `aud` tokens must carry, the metadata's
   * `resource`. Required by `createSessionHandler`; the reference server defaults it to its own URL.
   */
  resource?: string;
  /** More accepted `aud` values besides `resource` (an authorization server that names an API instead). @default [] */
  audience?: readonly string[];
  /** Where the signing keys are; without it, `jwks_uri` from the issuer's metadata (RFC 8414, then OpenID discovery). */
  jwksUri?: string;
  /** Scopes every request needs (403 `insufficient_scope` otherwise); named in 401 challenges and `scopes_supported`. @default [] */
  requiredScopes?: readonly string[];
  /** Scopes a `tools/call` of the named tool needs on top of `requiredScopes` (403 `insufficient_scope` naming them). @default {} */
  toolScopes?: Readonly<Record<string, readonly string[]>>;
  /** Accepted JWS algorithms (asymmetric only: `none` and HMAC are never accepted). @default every RS, PS, ES and EdDSA algorithm */
  algorithms?: readonly string[];
  /** Clock skew tolerated on `nbf` and `iat`; `exp` is enforced exactly (the SDK's check). @default 30 */
  clockToleranceSeconds?: number;
  /** Keys older than this are refreshed in the background; requests keep using them meanwhile. @default 600_000 */
  jwksCacheMs?: number;
  /** Least time between two key refetches caused by a token with an unknown `kid`. @default 30_000 */
  jwksCooldownMs?: number;
  /** Deadline of one metadata or key-set fetch. @default 5_000 */
  fetchTimeoutMs?: number;
  /** Largest metadata or key-set document accepted, in decoded bytes. @default 262_144 */
  maxFetchBytes?: number;
  /** `resource_name` of the metadata document. */
  resourceName?: string;
  /** Accept `http:` issuer and key URLs on non-loopback hosts (a private network). Never on the Internet. @default false */
  allowInsecureHttp?: boolean;
}

type DefaultedOAuthOptions = Required<Omit<OAuthResourceOptions, 'issuer' | 'resource' | 'jwksUri' | 'resourceName'>>;

/** JWS algorithms with a public key; HMAC (`HS*`) and `none` cannot come from a key set. */
const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

/**
 * Every default of the `oauth` option in one place.
 *
 * @example
 * ```ts
 * OAUTH_RESOURCE_DEFAULTS.jwksCooldownMs; // 30_000
 * ```
 */
export const OAUTH_RESOURCE_DEFAULTS = {
  audience: [],
  requiredScopes: [],
  toolScopes: {},
  algorithms: ASYMMETRIC_ALGORITHMS,
  clockToleranceSeconds: 30,
  jwksCacheMs: 600_000,
  jwksCooldownMs: 30_000,
  fetchTimeoutMs: 5_000,
  maxFetchBytes: 256 * 1024,
  allowInsecureHttp: false,
} as const satisfies DefaultedOAuthOptions;

/** The `oauth` option after defaults and validation. */
export interface ResolvedOAuthOptions {
  issuer: string;
  /** The canonical resource URL (`URL.href`); undefined until the reference server knows its own URL. */
  resource: string | undefined;
  audience: readonly string[];
  jwksUri: string | undefined;
  requiredScopes: readonly string[];
  toolScopes: ReadonlyMap<string, readonly string[]>;
  algorithms: readonly string[];
  clockToleranceSeconds: number;
  jwksCacheMs: number;
  jwksCooldownMs: number;
  fetchTimeoutMs: number;
  maxFetchBytes: number;
  resourceName: string | undefined;
  allowInsecureHttp: boolean;
}

const OAUTH_KEYS: ReadonlySet<string> = new Set([...Object.keys(OAUTH_RESOURCE_DEFAULTS), 'issuer', 'resource', 'jwksUri', 'resourceName']);

/** RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Loopback hosts, where plain `http:` is acceptable (local development, tests). */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function fail(name: string, expected: string, got: unknown): never {
  throw new TypeError(`Expected \`oauth.${name}\` to be ${expected}, got ${typeof got === 'string' ? JSON.stringify(got) : String(got)}`);
}

/** An absolute http(s) URL; `http:` only on loopback unless allowed. `issuer` also forbids query and fragment (RFC 8414 §2). */
function checkUrl(name: string, value: unknown, allowHttp: boolean, strict: boolean): URL {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) fail(name, 'an absolute http(s) URL', value);
  if (url.protocol === 'http:' && !allowHttp && !LOOPBACK_HOSTS.has(url.hostname)) {
    fail(name, 'an https: URL (http: only on loopback, or with `oauth.allowInsecureHttp`)', value);
  }
  if (url.hash !== '' || (strict && url.search !== '')) fail(name, `a URL without ${strict ? 'query or ' : ''}fragment`, value);
  return url;
}

function checkScopes(name: string, value: unknown, nonEmpty: boolean): readonly string[] {
  if (
    !Array.isArray(value) ||
    (nonEmpty && value.length === 0) ||
    value.some((scope) => typeof scope !== 'string' || !SCOPE_TOKEN.test(scope))
  ) {
    fail(name, `${nonEmpty ? 'a non-empty' : 'an'} array of OAuth scope tokens`, JSON.stringify(value));
  }
  return [...new Set(value as string[])];
}

function checkToolScopes(value: unknown): ReadonlyMap<string, readonly string[]> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('toolScopes', 'an object of tool name -> scopes', JSON.stringify(value));
  return new Map(Object.entries(value).map(([tool, scopes]) => [tool, checkScopes(`toolScopes.${tool}`, scopes, true)]));
}

function checkInteger(name: string, value: unknown, minimum: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
    fail(name, minimum === 0 ? 'a non-negative integer' : 'a positive integer', value);
  }
  return value;
}

/**
 * Validates the `oauth` option and applies its defaults. `resource` may be missing here (the reference server
 * derives it from the address it binds); `createSessionHandler` requires it.
 *
 * @example
 * ```ts
 * resolveOAuthOptions({ issuer: 'http://auth.example.com' }); // TypeError: Expected `oauth.issuer` to be an https: URL ...
 * ```
 */
export function resolveOAuthOptions(options: OAuthResourceOptions): ResolvedOAuthOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError(`Expected \`oauth\` to be an object, got ${String(options)}`);
  for (const key of Object.keys(options)) if (!OAUTH_KEYS.has(key)) throw new TypeError(`Unknown option \`oauth.${key}\``);
  const merged = { ...OAUTH_RESOURCE_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) };
  if (typeof merged.allowInsecureHttp !== 'boolean') fail('allowInsecureHttp', 'a boolean', merged.allowInsecureHttp);
  const allowHttp = merged.allowInsecureHttp;
  checkUrl('issuer', options.issuer, allowHttp, true);
  const resource = options.resource === undefined ? undefined : checkUrl('resource', options.resource, true, false).href;
  const jwksUri = options.jwksUri === undefined ? undefined : checkUrl('jwksUri', options.jwksUri, allowHttp, false).href;
  const audience = merged.audience as unknown;
  if (!Array.isArray(audience) || audience.some((item) => typeof item !== 'string' || item.length === 0)) {
    fail('audience', 'an array of non-empty strings', JSON.stringify(audience));
  }
  const algorithms = merged.algorithms as unknown;
  const known: readonly string[] = ASYMMETRIC_ALGORITHMS;
  if (!Array.isArray(algorithms) || algorithms.length === 0 || algorithms.some((alg) => !known.includes(alg as string))) {
    fail('algorithms', `a non-empty array of ${known.join(', ')}`, JSON.stringify(algorithms));
  }
  if (options.resourceName !== undefined && (typeof options.resourceName !== 'string' || options.resourceName.length === 0)) {
    fail('resourceName', 'a non-empty string', options.resourceName);
  }
  return {
    // The issuer as written: `iss` is compared as a string (RFC 8414 §3.3), so it is not normalized.
    issuer: options.issuer,
    resource,
    audience: [...(audience as string[])],
    jwksUri,
    requiredScopes: checkScopes('requiredScopes', merged.requiredScopes, false),
    toolScopes: checkToolScopes(merged.toolScopes),
    algorithms: [...(algorithms as string[])],
    clockToleranceSeconds: checkInteger('clockToleranceSeconds', merged.clockToleranceSeconds, 0),
    jwksCacheMs: checkInteger('jwksCacheMs', merged.jwksCacheMs, 1),
    jwksCooldownMs: checkInteger('jwksCooldownMs', merged.jwksCooldownMs, 0),
    fetchTimeoutMs: checkInteger('fetchTimeoutMs', merged.fetchTimeoutMs, 1),
    maxFetchBytes: checkInteger('maxFetchBytes', merged.maxFetchBytes, 1),
    resourceName: options.resourceName,
    allowInsecureHttp: allowHttp,
  };
}

/**
 * Where the metadata of `resource` lives: the RFC 9728 path-suffixed URL (what 401 challenges name), and the paths
 * it is served at (that one and the root `/.well-known/oauth-protected-resource`, the spec's fallback).
 *
 * @example
 * ```ts
 * metadataLocation('https://mcp.example.com/mcp').paths; // ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']
 * ```
 */
export function metadataLocation(resource: string): { url: string; paths: readonly string[] } {
  const url = getOAuthProtectedResourceMetadataUrl(new URL(resource));
  return { url, paths: [...new Set([new URL(url).pathname, '/.well-known/oauth-protected-resource'])] };
}
