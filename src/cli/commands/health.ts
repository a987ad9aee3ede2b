/**
 * `archon-mcp health [url]`: probe a server for CI and monitors. Exit 0 healthy, 1 unhealthy, 2 usage error.
 */
import { checkMcpHealth, type HealthReport } from '../../helpers/check-mcp-health';
import { healthAuthState, resolveCliAuthorization, type HealthAuthState } from '../cli-auth';
import { EXIT, writeLine, type CliIo } from '../cli-io';
import type { CliCommand } from '../command';
import { expectAtMostPositionals, parseCommandLine, parsePositiveInteger, resolveServerUrl } from '../command-line';

/** `--timeout` when not given, in ms: a health probe should answer fast or count as down. */
const HEALTH_TIMEOUT_DEFAULT_MS = 5_000;

const HELP = `Usage: archon-mcp health [url] [options]

Probe an MCP server: initialize, ping, tools/list and optionally one tool call.
Exit code 0 when healthy, 1 when unhealthy, 2 on a usage error, 3 when the server requires credentials
the probe does not have (auth: required), 4 when it refused the ones given (auth: expired).

Arguments:
  url               MCP endpoint (default: $ARCHON_MCP_URL, then http://localhost:8051/mcp)

Options:
  --json            Print the report as one JSON object
  --timeout <ms>    Time limit for connecting and for each step (default: ${HEALTH_TIMEOUT_DEFAULT_MS})
  --tool <name>     Also call this tool (without arguments); its failure makes the server unhealthy
  --token <token>   Bearer token (default: $ARCHON_MCP_TOKEN, then the tokens of archon-mcp login)
  --verbose         Print stack traces of unexpected errors
  -h, --help        Show this help`;

/**
 * @example
 * ```ts
 * const code = await healthCommand.run(['http://localhost:8051/mcp', '--json'], io);
 * ```
 */
export const healthCommand: CliCommand = {
  name: 'health',
  summary: 'Probe a server (exit 0 healthy, 1 unhealthy)',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandLine('health', args, {
      json: { type: 'boolean' },
      timeout: { type: 'string' },
      tool: { type: 'string' },
      token: { type: 'string' },
    });
    const [explicitUrl] = expectAtMostPositionals(positionals, 1, 'health');
    const url = resolveServerUrl(explicitUrl, io.env, 'health');
    const timeoutMs = values.timeout === undefined ? HEALTH_TIMEOUT_DEFAULT_MS : parsePositiveInteger('--timeout', values.timeout, 'health');

    const authorization = await resolveCliAuthorization(url, values.token, io, 'health');
    const report = await checkMcpHealth({
      url,
      timeoutMs,
      ...authorization.options,
      signal: io.signal,
      ...(values.tool === undefined ? {} : { tool: { name: values.tool } }),
    });
    const auth = healthAuthState(report, authorization);
    if (values.json === true) writeLine(io.stdout, JSON.stringify(toJsonReport(report, auth)));
    // The text report names auth only when credentials were involved: a server without auth reads as before.
    else printReport(report, io, authorization.source === 'none' && auth === 'ok' ? null : auth);
    if (auth === 'required' || auth === 'expired') return auth === 'required' ? EXIT.authRequired : EXIT.authExpired;
    return report.healthy ? EXIT.ok : EXIT.failure;
  },
};

/**
 * The `--json` object always has every key: `null` for what the probe never learnt (JSON.stringify would drop
 * `undefined` keys and make `jq .toolCount` scripts guess).
 */
function toJsonReport(report: HealthReport, auth: HealthAuthState) {
  return {
    healthy: report.healthy,
    url: report.url,
    latencyMs: report.latencyMs,
    serverInfo: report.serverInfo ?? null,
    protocolVersion: report.protocolVersion ?? null,
    toolCount: report.toolCount ?? null,
    auth,
    checks: report.checks.map((check) => ({ name: check.name, ok: check.ok, ms: check.ms, error: check.error ?? null })),
  };
}

function printReport(report: HealthReport, io: CliIo, auth: HealthAuthState): void {
  writeLine(io.stdout, `${report.healthy ? 'healthy' : 'UNHEALTHY'}: ${report.url} (${Math.round(report.latencyMs)} ms)`);
  if (report.serverInfo !== undefined) {
    const details = [
      report.protocolVersion === undefined ? undefined : `protocol ${report.protocolVersion}`,
      report.toolCount === undefined ? undefined : `${report.toolCount} tool${report.toolCount === 1 ? '' : 's'}`,
    ].filter((detail) => detail !== undefined);
    writeLine(io.stdout, `server: ${report.serverInfo.name} ${report.serverInfo.version}${details.length > 0 ? ` (${details.join(', ')})` : ''}`);
  }
  if (auth !== null) writeLine(io.stdout, `auth: ${auth}${auth === 'ok' ? '' : ` (run archon-mcp login ${report.url}, or pass --token)`}`);
  const width = Math.max(...report.checks.map((check) => check.name.length));
  for (const check of report.checks) {
    const line = `  ${check.ok ? 'ok  ' : 'FAIL'}  ${check.name.padEnd(width)}  ${String(Math.round(check.ms)).padStart(5)} ms`;
    writeLine(io.stdout, check.error === undefined ? line : `${line}  ${firstLine(check.error)}`);
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

