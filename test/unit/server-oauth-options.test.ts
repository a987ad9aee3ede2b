/**
 * The `oauth` option of the session layer and the `--oauth-*` flags of `archon-mcp serve`: defaults, and a
 * TypeError naming the option for everything a resource server must not start with.
 */
import { describe, expect, test } from 'vitest';
import { metadataLocation, OAUTH_RESOURCE_DEFAULTS, resolveOAuthOptions } from '../../server/auth/oauth-options';
import { discoverJwksUri, metadataUrls } from '../../server/auth/discover-jwks-uri';
import { resolveSessionLayerOptions } from '../../server/session-options';
import { parseServeOptions } from '../../server/serve';

const issuer = 'https://auth.example.com';

describe('resolveOAuthOptions', () => {
  test('applies the defaults and canonicalizes the resource', () => {
    const resolved = resolveOAuthOptions({ issuer, resource: 'https://MCP.example.com' });
    expect(resolved).toMatchObject({
      issuer,
      resource: 'https://mcp.example.com/',
      jwksUri: undefined,
      requiredScopes: [],
      clockToleranceSeconds: OAUTH_RESOURCE_DEFAULTS.clockToleranceSeconds,
      jwksCooldownMs: 30_000,
      maxFetchBytes: 262_144,
    });
    expect(resolved.algorithms).toContain('RS256');
    expect(resolved.toolScopes).toEqual(new Map());
  });

  test.each([
    [{ issuer: 'http://auth.example.com' }, /`oauth.issuer` to be an https: URL/],
    [{ issuer: 'https://auth.example.com?tenant=1' }, /`oauth.issuer` to be a URL without query or fragment/],
    [{ issuer: 'auth.example.com' }, /`oauth.issuer` to be an absolute http\(s\) URL/],
    [{ issuer, resource: 'https://mcp.example.com/mcp#x' }, /`oauth.resource` to be a URL without fragment/],
    [{ issuer, jwksUri: 'http://keys.example.com/jwks' }, /`oauth.jwksUri` to be an https: URL/],
    [{ issuer, algorithms: ['HS256'] }, /`oauth.algorithms` to be a non-empty array of RS256/],
    [{ issuer, algorithms: ['none'] }, /`oauth.algorithms`/],
    [{ issuer, requiredScopes: ['has space'] }, /`oauth.requiredScopes` to be an array of OAuth scope tokens/],
    [{ issuer, toolScopes: { counter: [] } }, /`oauth.toolScopes.counter` to be a non-empty array/],
    [{ issuer, jwksCacheMs: 0 }, /`oauth.jwksCacheMs` to be a positive integer, got 0/],
    [{ issuer, clockToleranceSeconds: -1 }, /`oauth.clockToleranceSeconds` to be a non-negative integer/],
    [{ issuer, audience: [''] }, /`oauth.audience` to be an array of non-empty strings/],
    [{ issuer, jwksUrl: 'https://x' }, /Unknown option `oauth.jwksUrl`/],
  ])('%j is refused', (options, message) => {
    expect(() => resolveOAuthOptions(options as never)).toThrow(message);
  });

  test('http: is accepted on loopback, and elsewhere only with allowInsecureHttp', () => {
    expect(resolveOAuthOptions({ issuer: 'http://127.0.0.1:9000' }).issuer).toBe('http://127.0.0.1:9000');
    expect(resolveOAuthOptions({ issuer: 'http://auth.internal', allowInsecureHttp: true }).issuer).toBe('http://auth.internal');
  });

  test('the session layer takes oauth or authToken, not both', () => {
    expect(resolveSessionLayerOptions({ oauth: { issuer } }).oauth?.issuer).toBe(issuer);
    expect(resolveSessionLayerOptions({}).oauth).toBeUndefined();
    expect(() => resolveSessionLayerOptions({ oauth: { issuer }, authToken: 't' })).toThrow(/either `authToken`/);
  });
});

describe('where metadata lives', () => {
  test('RFC 9728: path-suffixed for a resource with a path, plus the root', () => {
    expect(metadataLocation('https://mcp.example.com/mcp')).toEqual({
      url: 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp',
      paths: ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource'],
    });
    expect(metadataLocation('https://mcp.example.com/').paths).toEqual(['/.well-known/oauth-protected-resource']);
  });

  test('the issuer metadata is looked for in the spec order', () => {
    expect(metadataUrls('https://auth.example.com')).toEqual([
      'https://auth.example.com/.well-known/oauth-authorization-server',
      'https://auth.example.com/.well-known/openid-configuration',
    ]);
    expect(metadataUrls('https://auth.example.com/tenant1')).toEqual([
      'https://auth.example.com/.well-known/oauth-authorization-server/tenant1',
      'https://auth.example.com/.well-known/openid-configuration/tenant1',
      'https://auth.example.com/tenant1/.well-known/openid-configuration',
    ]);
  });

  test('an issuer with no metadata anywhere is a fetch error naming where it looked', async () => {
    await expect(discoverJwksUri('http://127.0.0.1:1', { timeoutMs: 1_000, maxBytes: 1_000 }, (uri) => uri)).rejects.toThrow(
      /127\.0\.0\.1:1/,
    );
  });
});

describe('archon-mcp serve --oauth-*', () => {
  test('flags and environment variables become the oauth option', () => {
    const command = parseServeOptions(
      ['--oauth-issuer', issuer, '--oauth-scopes', 'mcp:read mcp:write', '--oauth-tool-scopes', 'counter=mcp:write admin,fail=admin'],
      {
        MCP_OAUTH_RESOURCE: 'https://mcp.example.com/mcp',
        MCP_OAUTH_JWKS_URI: 'https://auth.example.com/keys',
        MCP_OAUTH_AUDIENCE: 'api://mcp',
      },
    );
    expect(command.help === false && command.options.oauth).toEqual({
      issuer,
      resource: 'https://mcp.example.com/mcp',
      audience: ['api://mcp'],
      jwksUri: 'https://auth.example.com/keys',
      requiredScopes: ['mcp:read', 'mcp:write'],
      toolScopes: { counter: ['mcp:write', 'admin'], fail: ['admin'] },
    });
  });

  test('no --oauth-* flag, no oauth option', () => {
    const command = parseServeOptions([], {});
    expect(command.help === false && command.options.oauth).toBeUndefined();
  });

  test.each([
    [['--oauth-scopes', 'mcp'], 'Expected `--oauth-issuer` with `--oauth-scopes`, got none'],
    [['--oauth-issuer', 'not a url'], 'Expected `--oauth-issuer` to be an absolute URL, got "not a url"'],
    [['--oauth-issuer', issuer, '--oauth-tool-scopes', 'counter'], /Expected `--oauth-tool-scopes` to be tool=scope/],
    // Well formed but refused by the option checks: still a usage error, naming the flag, not `oauth.issuer`.
    [['--oauth-issuer', 'http://auth.example.com'], /^Expected `--oauth-issuer` to be an https: URL/],
    [['--oauth-issuer', issuer, '--oauth-scopes', 'has"quote'], /^Expected `--oauth-scopes` to be an array of OAuth scope tokens/],
    [['--oauth-issuer', issuer, '--auth-token', 'secret'], /either `authToken`.* or `oauth`/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseServeOptions(argv, {})).toThrow(message);
  });
});
