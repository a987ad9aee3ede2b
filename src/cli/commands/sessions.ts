/**
 * `archon-mcp sessions [url]`: what the server knows about its sessions, without `--test-hooks` (issue #10):
 * the counts its `GET /health` reports (live in this process; active, draining, expired and closed in the
 * store), the store, the cleanup tiers and whether restarted servers adopt sessions. A per-session list
 * needs an admin endpoint the reference server does not offer yet.
 */
import { createErrorFromFailure, redactUrl } from '../../errors/index';
import { EXIT, writeLine, type CliIo } from '../cli-io';
import type { CliCommand } from '../command';
import { expectAtMostPositionals, parseCommandLine, parsePositiveInteger, resolveServerUrl } from '../command-line';

/** `--timeout` when not given, in ms: a status page answers at once or not at all. */
const SESSIONS_TIMEOUT_DEFAULT_MS = 5_000;
/** The /health body is a few hundred bytes; anything far bigger is not the reference server's. */
const MAX_BODY_BYTES = 64 * 1024;

const HELP = `Usage: archon-mcp sessions [url] [options]

Show the sessions of an archon reference server (archon-mcp serve): how many are live in the process and
active, draining, expired or closed in its store, the store, the cleanup tiers and session adoption.
These are protocol sessions, which only 2025-era clients open (2026-07-28 traffic is served per request).
Reads GET /health next to the MCP endpoint. Exit code 0 when the server reports ok, 1 otherwise.

Arguments:
  url               MCP endpoint (default: $ARCHON_MCP_URL, then http://localhost:8051/mcp)

Options:
  --json            Print { url, status, store, sessions, cleanup, adoption } as one JSON object
  --timeout <ms>    Time limit for the request (default: ${SESSIONS_TIMEOUT_DEFAULT_MS})
  --verbose         Print stack traces of unexpected errors
  -h, --help        Show this help`;

/** The parts of the reference server's /health body this command reads (server/http/health-endpoint.ts). */
interface HealthBody {
  status: string;
  uptimeMs?: number;
  instanceId?: string;
  store?: { kind?: string; connected?: boolean; error?: string };
  sessions?: Record<string, unknown> | null;
  cleanup?: { running?: boolean; tiers?: Record<string, { runs?: number; lastRunAt?: string | null; lastResult?: string | null; lastCount?: number; lastError?: string | null }> };
  adoption?: { enabled?: boolean; reason?: string };
}

const SESSION_COUNTS = ['live', 'active', 'draining', 'expired', 'closed'] as const;

/**
 * @example
 * ```ts
 * const code = await sessionsCommand.run(['http://localhost:8051/mcp', '--json'], io);
 * ```
 */
export const sessionsCommand: CliCommand = {
  name: 'sessions',
  summary: 'Session counts, store and cleanup of a reference server',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandLine('sessions', args, {
      json: { type: 'boolean' },
      timeout: { type: 'string' },
    });
    const [explicitUrl] = expectAtMostPositionals(positionals, 1, 'sessions');
    const url = resolveServerUrl(explicitUrl, io.env, 'sessions');
    const timeoutMs = values.timeout === undefined ? SESSIONS_TIMEOUT_DEFAULT_MS : parsePositiveInteger('--timeout', values.timeout, 'sessions');
    const healthUrl = new URL('/health', url);
    const body = await fetchHealth(healthUrl, timeoutMs, io);
    const where = redactUrl(new URL('/', url)).replace(/\/$/, '');
    if (values.json === true) {
      const { status, store, sessions, cleanup, adoption } = body;
      writeLine(io.stdout, JSON.stringify({ url: where, status, store: store ?? null, sessions: sessions ?? null, cleanup: cleanup ?? null, adoption: adoption ?? null }));
    } else {
      printSessions(where, body, io);
    }
    return body.status === 'ok' ? EXIT.ok : EXIT.failure;
  },
};

async function fetchHealth(healthUrl: URL, timeoutMs: number, io: CliIo): Promise<HealthBody> {
  const signal = io.signal === undefined ? AbortSignal.timeout(timeoutMs) : AbortSignal.any([io.signal, AbortSignal.timeout(timeoutMs)]);
  let response: Response;
  try {
    response = await fetch(healthUrl, { signal, headers: { accept: 'application/json' }, redirect: 'error' });
  } catch (error) {
    if (signal.aborted && !(io.signal?.aborted ?? false)) throw new Error(`No answer from ${redactUrl(healthUrl)} within ${timeoutMs} ms`, { cause: error });
    throw createErrorFromFailure({ kind: 'network', error, requestSent: false, url: healthUrl });
  }
  const text = await readCapped(response);
  // 503 is the report of an unavailable or draining server: still a report to print.
  if (response.status !== 200 && response.status !== 503) {
    const error = createErrorFromFailure({ kind: 'http', status: response.status, body: text, url: healthUrl });
    throw new Error(`${error.message} (is this an archon reference server? \`sessions\` reads its /health)`, { cause: error });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new Error(`${redactUrl(healthUrl)} did not answer JSON (is this an archon reference server?)`, { cause: error });
  }
  if (typeof body !== 'object' || body === null || typeof (body as HealthBody).status !== 'string') {
    throw new Error(`${redactUrl(healthUrl)} did not answer a health report (is this an archon reference server?)`);
  }
  return body as HealthBody;
}

async function readCapped(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new Error(`The /health answer exceeded ${MAX_BODY_BYTES} bytes (is this an archon reference server?)`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A count from the wire: a non-negative safe integer, else shown as `?`. */
function count(value: unknown): string {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? String(value) : '?';
}

function printSessions(where: string, body: HealthBody, io: CliIo): void {
  const uptime = typeof body.uptimeMs === 'number' && Number.isFinite(body.uptimeMs) ? `, up ${Math.round(body.uptimeMs / 1000)} s` : '';
  writeLine(io.stdout, `${body.status === 'ok' ? 'ok' : body.status.toUpperCase()}: ${where}${uptime}`);
  const store = body.store;
  const storeState = store?.connected === true ? 'connected' : `NOT connected${store?.error ? ` (${String(store.error).split('\n')[0]})` : ''}`;
  writeLine(io.stdout, `  store     ${String(store?.kind ?? '?')}, ${storeState}`);
  const sessions = body.sessions;
  if (sessions) {
    const [live, ...stored] = SESSION_COUNTS.map((name) => `${count(sessions[name])} ${name}`);
    writeLine(io.stdout, `  sessions  ${live} in this process; in the store: ${stored.join(', ')}`);
  } else {
    writeLine(io.stdout, '  sessions  unknown (the store did not answer)');
  }
  const tiers = Object.entries(body.cleanup?.tiers ?? {}).map(([name, tier]) => {
    const last = tier.lastRunAt ? `last ${String(tier.lastResult ?? '?')} at ${tier.lastRunAt}, ${count(tier.lastCount)} handled` : 'not run yet';
    return `${name}: ${last}${tier.lastError ? ` (${String(tier.lastError).split('\n')[0]})` : ''}`;
  });
  writeLine(io.stdout, `  cleanup   ${body.cleanup?.running === true ? 'running' : 'stopped'}${tiers.length > 0 ? `; ${tiers.join('; ')}` : ''}`);
  const adoption = body.adoption;
  writeLine(io.stdout, `  adoption  ${adoption?.enabled === true ? 'enabled: a restarted server takes over active sessions' : `disabled${adoption?.reason ? ` (${adoption.reason})` : ''}`}`);
}
