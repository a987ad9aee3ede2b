/**
 * An MCP server behind OAuth for MCPClient tests: the real authorization server (oauth2-mock-server), the
 * resource stand-in verifying its JWTs, and behind that an MCP server of either era: the reference server
 * (serving only the 2025 era, in process) or the official v2 server (2026-07-28 only, a child process). The authorization and
 * resource servers share a clock the test moves; a client that should know about expiry takes it too.
 */
import { startReferenceServer } from '../../../server/index';
import { startModernChaosServer } from '../../support/chaos-modern-server';
import { type AuthorizationServer, type AuthorizationServerOptions, startAuthorizationServer } from './authorization-server';
import { movableClock } from './fixtures';
import { type ResourceServer, type ResourceServerOptions, startResourceServer } from './resource-server';

export type UpstreamEra = 'legacy' | 'modern';

export interface McpAuthStack extends AsyncDisposable {
  readonly as: AuthorizationServer;
  readonly rs: ResourceServer;
  /** The authorization and resource servers' clock. */
  readonly clock: ReturnType<typeof movableClock>;
  /** The protected MCP endpoint. */
  readonly url: string;
  readonly era: UpstreamEra;
}

export interface McpAuthStackOptions {
  readonly era: UpstreamEra;
  readonly as?: Omit<AuthorizationServerOptions, 'now'>;
  readonly rs?: Pick<ResourceServerOptions, 'scope' | 'stepUp'>;
}

/**
 * @example
 * ```ts
 * await using stack = await startMcpAuthStack({ era: 'legacy', as: { accessTokenTtlSeconds: 300 } });
 * const client = new MCPClient({ url: stack.url, authProvider });
 * ```
 */
export async function startMcpAuthStack(options: McpAuthStackOptions): Promise<McpAuthStack> {
  const upstream =
    options.era === 'legacy'
      ? // The reference server serves both eras on one endpoint: pinned to 2025-11-25 here, so `legacy` means legacy.
        await startReferenceServer({ port: 0, store: 'memory', eras: ['legacy'] }).then((server) => ({ url: server.url, close: () => server.close() }))
      : await startModernChaosServer().then((server) => ({ url: server.url, close: () => server[Symbol.asyncDispose]() }));
  const stack = await startMcpAuthStackFor(upstream.url, options);
  return {
    ...stack,
    era: options.era,
    async [Symbol.asyncDispose]() {
      await stack[Symbol.asyncDispose]();
      await upstream.close();
    },
  };
}

/**
 * The authorization server and the resource stand-in in front of an MCP endpoint the caller runs (and closes).
 *
 * @example
 * ```ts
 * await using chaos = await startChaosServer();
 * await using stack = await startMcpAuthStackFor(chaos.url, {});
 * ```
 */
export async function startMcpAuthStackFor(upstreamUrl: string, options: Omit<McpAuthStackOptions, 'era'>): Promise<Omit<McpAuthStack, 'era'>> {
  const clock = movableClock();
  const as = await startAuthorizationServer({ ...options.as, now: clock.now });
  const rs = await startResourceServer({ issuer: as.issuer, jwksUrl: as.jwksUrl, now: clock.now, upstream: upstreamUrl, ...options.rs });
  return {
    as,
    rs,
    clock,
    url: rs.url,
    async [Symbol.asyncDispose]() {
      await rs.close();
      await as.close();
    },
  };
}
