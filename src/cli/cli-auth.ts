/**
 * Credentials for the CLI: `--token`/`ARCHON_MCP_TOKEN` (a static bearer), else the tokens `archon-mcp login`
 * stored, through the client's `authProvider` backed by the file store (refreshed ahead of expiry, and on a 401
 * in the middle of a command, under the store's lock so parallel CI steps refresh once), else none.
 */
import { spawn } from 'node:child_process';
import type { OAuthClientMetadata, OAuthClientProvider, StoredOAuthClientInformation, StoredOAuthTokens } from '@modelcontextprotocol/client';
import { FileTokenStore } from '../auth/file-token-store';
import type { MCPClientOptions } from '../client/options';
import { CLIENT_VERSION } from '../client/version';
import type { HealthReport } from '../helpers/check-mcp-health';
import type { CliIo } from './cli-io';
import { UsageError } from './usage-error';

/** Where a command's credentials came from. */
export type CliCredentialSource = 'flag' | 'env' | 'store' | 'none';

/**
 * The client options that carry a command's credentials, and where they came from.
 *
 * @example
 * ```ts
 * const { options, source } = await resolveCliAuthorization(url, values.token, io, 'tools');
 * await using client = openCliClient(url, timeoutMs, options);
 * ```
 */
export interface CliAuthorization {
  /** `headers` with a static bearer, or `authProvider` + `tokenStore` for stored tokens, or nothing. */
  readonly options: Pick<MCPClientOptions, 'headers' | 'authProvider' | 'tokenStore'>;
  readonly source: CliCredentialSource;
}

/** The resource key tokens are stored under: the URL without its fragment, as the coordinator uses it. */
export function resourceOf(url: string): string {
  const parsed = new URL(url);
  parsed.hash = '';
  return parsed.href;
}

/**
 * The OAuth client the CLI is: a public native client (PKCE, no secret) with a loopback redirect, registered
 * dynamically unless `--client-id` names a pre-registered one. Tokens and registrations live in the file store
 * (the coordinator keeps them there); this object only describes the client and hands over the redirect.
 */
export class CliOAuthProvider implements OAuthClientProvider {
  readonly #redirectUrl: string;
  readonly #clientId: string | undefined;
  readonly #scope: string | undefined;
  readonly #onRedirect: (url: URL) => void | Promise<void>;
  #tokens: StoredOAuthTokens | undefined;
  #client: StoredOAuthClientInformation | undefined;
  #verifier: string | undefined;

  constructor(options: { redirectUrl: string; clientId?: string; scope?: string; onRedirect?: (url: URL) => void | Promise<void> }) {
    this.#redirectUrl = options.redirectUrl;
    this.#clientId = options.clientId;
    this.#scope = options.scope;
    this.#onRedirect = options.onRedirect ?? (() => {});
  }
  get redirectUrl(): string {
    return this.#redirectUrl;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'archon-mcp',
      software_id: 'archon-mcp-client',
      software_version: CLIENT_VERSION,
      redirect_uris: [this.#redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      ...(this.#scope === undefined ? {} : { scope: this.#scope }),
    };
  }
  clientInformation() {
    return this.#clientId === undefined ? this.#client : { client_id: this.#clientId };
  }
  saveClientInformation(information: StoredOAuthClientInformation) {
    this.#client = information;
  }
  tokens() {
    return this.#tokens;
  }
  saveTokens(tokens: StoredOAuthTokens) {
    this.#tokens = tokens;
  }
  async redirectToAuthorization(url: URL) {
    await this.#onRedirect(url);
  }
  saveCodeVerifier(verifier: string) {
    this.#verifier = verifier;
  }
  codeVerifier() {
    if (this.#verifier === undefined) throw new Error('No PKCE verifier: the login was not started by this process');
    return this.#verifier;
  }
}

/**
 * @example
 * ```ts
 * const { headers } = await resolveCliAuthorization('https://mcp.example.com/mcp', undefined, io, 'call');
 * ```
 */
export async function resolveCliAuthorization(url: string, token: string | undefined, io: CliIo, command: string): Promise<CliAuthorization> {
  if (token !== undefined) {
    if (token.trim() === '') throw new UsageError('Expected `--token` to be a non-empty bearer token', command);
    return { options: { headers: { authorization: `Bearer ${token.trim()}` } }, source: 'flag' };
  }
  const fromEnv = io.env.ARCHON_MCP_TOKEN?.trim();
  if (fromEnv) return { options: { headers: { authorization: `Bearer ${fromEnv}` } }, source: 'env' };

  const store = new FileTokenStore({ env: io.env });
  const stored = await store.read(resourceOf(url));
  // Without a login there is nothing to refresh: no provider, so a 401 reports "required" instead of
  // registering a client or starting a browser flow from a command that cannot finish one.
  if (stored?.tokens === undefined) return { options: {}, source: 'none' };
  const redirectUrl = (stored.clientInformation as { redirect_uris?: string[] } | undefined)?.redirect_uris?.[0] ?? 'http://127.0.0.1/callback';
  return { options: { authProvider: new CliOAuthProvider({ redirectUrl }), tokenStore: store }, source: 'store' };
}

/**
 * Tries to open `url` in the user's browser; never waits for it and never fails (the URL is printed anyway).
 *
 * @example
 * ```ts
 * openBrowser(new URL('https://auth.example.com/authorize?...'));
 * ```
 */
export function openBrowser(url: URL): void {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url.href]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url.href]] : ['xdg-open', [url.href]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true, windowsHide: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // No opener on this machine: the printed URL is the way.
  }
}

/** What `archon-mcp health` reports about credentials; `null` when the server never answered. */
export type HealthAuthState = 'ok' | 'expired' | 'required' | null;

/**
 * `required`: the server asked for credentials the probe did not have (401 without any), or for more scope
 * (403); `expired`: it refused the ones sent (401); `ok`: the server answered without refusing.
 *
 * @example
 * ```ts
 * const auth = healthAuthState(report, authorization); // 'required' -> exit 3, 'expired' -> exit 4
 * ```
 */
export function healthAuthState(report: HealthReport, authorization: CliAuthorization): HealthAuthState {
  const refused = report.checks.find((check) => check.status === 401 || check.status === 403);
  if (refused !== undefined) return refused.status === 401 && authorization.source !== 'none' ? 'expired' : 'required';
  // A server that never answered says nothing about credentials: that is an outage (exit 1), not exit 3/4.
  return report.checks.some((check) => check.ok || check.status !== undefined) ? 'ok' : null;
}
