/**
 * `archon-mcp logout [url]`: forget the tokens `archon-mcp login` stored for a server (every authorization
 * server's). Local only: the authorization server is not asked to revoke them.
 */
import { FileTokenStore } from '../../auth/file-token-store';
import { resourceOf } from '../cli-auth';
import { EXIT, writeLine } from '../cli-io';
import type { CliCommand } from '../command';
import { expectAtMostPositionals, parseCommandLine, resolveServerUrl } from '../command-line';

const HELP = `Usage: archon-mcp logout [url] [options]

Forget the tokens stored for the server by archon-mcp login. Exit 0 also when none were stored.

Arguments:
  url               MCP endpoint (default: $ARCHON_MCP_URL, then http://localhost:8051/mcp)

Options:
  --verbose         Print stack traces of unexpected errors
  -h, --help        Show this help`;

/**
 * @example
 * ```ts
 * const code = await logoutCommand.run(['https://mcp.example.com/mcp'], io);
 * ```
 */
export const logoutCommand: CliCommand = {
  name: 'logout',
  summary: 'Forget the tokens stored for a server',
  help: HELP,
  async run(args, io) {
    const { positionals } = parseCommandLine('logout', args, {});
    const [explicitUrl] = expectAtMostPositionals(positionals, 1, 'logout');
    const url = resolveServerUrl(explicitUrl, io.env, 'logout');
    const store = new FileTokenStore({ env: io.env });
    const removed = await store.remove(resourceOf(url));
    writeLine(io.stdout, removed === 0 ? `No stored tokens for ${url}` : `Logged out of ${url} (removed ${removed} token file${removed === 1 ? '' : 's'} from ${store.directory})`);
    return EXIT.ok;
  },
};
