/**
 * `archon-mcp login [url]`: the OAuth authorization-code flow with PKCE for a server that requires it. The
 * browser is sent to the authorization server (or the URL is printed), the redirect comes back to a loopback
 * server on 127.0.0.1, and the tokens go to the file store that `call`, `tools`, `types` and `health` read.
 */
import { AuthRequiredError } from '../../errors/tree';
import { createAuthCoordinator } from '../../auth/create-auth-coordinator';
import { FileTokenStore } from '../../auth/file-token-store';
import { CliOAuthProvider, openBrowser, resourceOf } from '../cli-auth';
import { EXIT, writeLine } from '../cli-io';
import type { CliCommand } from '../command';
import { expectAtMostPositionals, parseCommandLine, parsePositiveInteger, resolveServerUrl } from '../command-line';
import { startLoopbackCallback } from '../loopback-callback';
import { UsageError } from '../usage-error';

/** `--timeout` when not given, in ms: time for a person to sign in. */
const LOGIN_TIMEOUT_DEFAULT_MS = 300_000;

const HELP = `Usage: archon-mcp login [url] [options]

Log in to an MCP server that requires OAuth: opens the authorization page in a browser (and prints its URL),
receives the redirect on 127.0.0.1, and stores the tokens (mode 0600) for call, tools, types and health.

Arguments:
  url                  MCP endpoint (default: $ARCHON_MCP_URL, then http://localhost:8051/mcp)

Options:
  --client-id <id>     A client id registered for this CLI (default: register dynamically)
  --scope <scopes>     Scopes to ask for, space-separated (default: what the server advertises)
  --port <port>        Port of the loopback redirect on 127.0.0.1 (default: any free port)
  --no-browser         Do not try to open a browser; only print the URL
  --timeout <ms>       How long to wait for the browser round trip (default: ${LOGIN_TIMEOUT_DEFAULT_MS})
  --verbose            Print stack traces of unexpected errors
  -h, --help           Show this help

Tokens go to $ARCHON_MCP_AUTH_DIR, else $XDG_CONFIG_HOME/archon-mcp/tokens, else ~/.config/archon-mcp/tokens.`;

/**
 * @example
 * ```ts
 * const code = await loginCommand.run(['https://mcp.example.com/mcp', '--no-browser'], io);
 * ```
 */
export const loginCommand: CliCommand = {
  name: 'login',
  summary: 'Log in to a server that requires OAuth (browser + PKCE)',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandLine('login', args, {
      'client-id': { type: 'string' },
      scope: { type: 'string' },
      port: { type: 'string' },
      'no-browser': { type: 'boolean' },
      timeout: { type: 'string' },
    });
    const [explicitUrl] = expectAtMostPositionals(positionals, 1, 'login');
    const url = resolveServerUrl(explicitUrl, io.env, 'login');
    const timeoutMs = values.timeout === undefined ? LOGIN_TIMEOUT_DEFAULT_MS : parsePositiveInteger('--timeout', values.timeout, 'login');
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!/^\d+$/.test(values.port ?? '0') || port > 65_535) throw new UsageError(`Expected \`--port\` to be a port number, got ${JSON.stringify(values.port)}`, 'login');
    const clientId = values['client-id'];
    if (clientId === '') throw new UsageError('Expected `--client-id` to be a non-empty client id', 'login');

    const resource = resourceOf(url);
    const store = new FileTokenStore({ env: io.env });
    await using loopback = await startLoopbackCallback({ port });
    await forgetUnusableClient(store, resource, loopback.redirectUrl, clientId);
    const provider = new CliOAuthProvider({
      redirectUrl: loopback.redirectUrl,
      clientId,
      scope: values.scope,
      onRedirect(authorizationUrl) {
        writeLine(io.stderr, `Open this URL in a browser to log in to ${url}:`);
        writeLine(io.stderr, `  ${authorizationUrl.href}`);
        writeLine(io.stderr, `Waiting up to ${Math.round(timeoutMs / 1000)} s for the redirect to ${loopback.redirectUrl} ...`);
        if (values['no-browser'] !== true) openBrowser(authorizationUrl);
      },
    });
    const auth = createAuthCoordinator({ serverUrl: resource, authProvider: provider, tokenStore: store });
    try {
      await auth.authorize({ ...(values.scope === undefined ? {} : { scope: values.scope }), force: true });
    } catch (error) {
      if (!(error instanceof AuthRequiredError) || error.reason !== 'redirect') throw error;
      const callback = await loopback.next(timeoutMs, io.signal);
      try {
        await auth.finishAuth(callback.url);
        callback.respond(true, 'You are logged in. You can close this tab and return to the terminal.');
      } catch (failure) {
        callback.respond(false, 'The login failed. See the terminal for the reason.');
        throw failure;
      }
    }
    const record = await store.read(resource);
    writeLine(io.stdout, `Logged in to ${url}${record === undefined ? '' : ` (authorization server ${record.issuer})`}; tokens stored in ${store.directory}`);
    return EXIT.ok;
  },
};

/**
 * A client registered earlier for another loopback port cannot receive this redirect, and a stored client
 * never replaces an explicit `--client-id`: forget it so the flow registers (or uses the given id) anew.
 */
async function forgetUnusableClient(store: FileTokenStore, resource: string, redirectUrl: string, clientId: string | undefined): Promise<void> {
  const stored = await store.read(resource);
  const client = stored?.clientInformation as { client_id: string; redirect_uris?: string[] } | undefined;
  if (stored === undefined || client === undefined) return;
  const usable = clientId === undefined ? (client.redirect_uris ?? []).includes(redirectUrl) : client.client_id === clientId;
  if (!usable) await store.write({ ...stored, clientInformation: undefined, savedAt: Date.now() });
}
