/**
 * Shared pieces of the auth tests: an interactive provider (pre-registered public client, PKCE), the browser
 * step done programmatically, a movable clock, a temp token directory, and the request loop through the seam.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OAuthClientMetadata, OAuthClientProvider, StoredOAuthTokens } from '@modelcontextprotocol/client';
import { authorizedFetch, type AuthCoordinator } from '../../../src/auth/index';
import { AuthRequiredError } from '../../../src/errors/tree';

/** A user-facing client: no registration endpoint on the mock, so a pre-registered public client id. */
export class InteractiveTestProvider implements OAuthClientProvider {
  readonly redirects: URL[] = [];
  #tokens: StoredOAuthTokens | undefined;
  #verifier: string | undefined;

  constructor(
    readonly clientId: string,
    readonly redirectUrl = 'http://127.0.0.1:9/callback',
  ) {}

  get clientMetadata(): OAuthClientMetadata {
    return { client_name: 'archon-mcp tests', redirect_uris: [this.redirectUrl], grant_types: ['authorization_code', 'refresh_token'], token_endpoint_auth_method: 'none' };
  }
  clientInformation() {
    return { client_id: this.clientId };
  }
  tokens() {
    return this.#tokens;
  }
  saveTokens(tokens: StoredOAuthTokens) {
    this.#tokens = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.redirects.push(url);
  }
  saveCodeVerifier(verifier: string) {
    this.#verifier = verifier;
  }
  codeVerifier() {
    if (this.#verifier === undefined) throw new Error('no code verifier');
    return this.#verifier;
  }
}

/** What a browser does: follow the authorization URL; the mock approves at once and redirects with a code. */
export async function approveInBrowser(authorizationUrl: string | undefined): Promise<string> {
  if (authorizationUrl === undefined) throw new Error('no authorization URL');
  const response = await fetch(authorizationUrl, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (response.status !== 302 || location === null) throw new Error(`authorization endpoint answered ${response.status}`);
  return location;
}

/** A clock the test moves: `now()` is real time plus `offsetMs`. */
export function movableClock() {
  const clock = {
    offsetMs: 0,
    now: () => Date.now() + clock.offsetMs,
    advance(ms: number) {
      clock.offsetMs += ms;
    },
  };
  return clock;
}

/** A temp directory removed by `[Symbol.dispose]`. */
export function tempDirectory(prefix = 'archon-auth-'): { readonly path: string; [Symbol.dispose](): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}

/** One request to the protected resource through the seam (what MCPClient will do). */
export async function callResource(coordinator: AuthCoordinator, url: string, headers: Record<string, string> = {}) {
  const response = await authorizedFetch(coordinator)(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
  if (!response.ok) throw new Error(`resource answered ${response.status}`);
  return (await response.json()) as { ok: boolean; sub?: string; scope?: string };
}

/** Runs the first request, which needs a login, then the browser step and `finishAuth`. */
export async function logIn(coordinator: AuthCoordinator, url: string): Promise<void> {
  const error = await callResource(coordinator, url).then(
    () => undefined,
    (failure: unknown) => failure,
  );
  if (!(error instanceof AuthRequiredError)) throw new Error(`expected AuthRequiredError, got ${String(error)}`);
  await coordinator.finishAuth(await approveInBrowser(error.authorizationUrl));
}

/** The outcome of a promise as a value, so a test can assert on failures without try/catch. */
export async function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}
