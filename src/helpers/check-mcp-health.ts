/**
 * A health probe for CI and monitors: initialize, ping, tools/list and optionally one tool call, each
 * timed. It reports; it throws only for invalid options (DESIGN.md: "never throws for unhealthy").
 */
import { MCPClient } from '../client/mcp-client';
import { type MCPClientOptions, resolveClientOptions } from '../client/options';
import { assertKnownOptions } from '../client/unknown-options';
import { redactUrl } from '../errors/redact-url';
import { AuthRequiredError, HttpError } from '../errors/tree';

/**
 * Options of {@link checkMcpHealth}: the client's options, except that `retry` and `breaker` default to
 * off (a probe reports the server as it is now; pass them to opt in).
 *
 * @example
 * ```ts
 * const options: CheckMcpHealthOptions = { url, timeoutMs: 5_000, tool: { name: 'health_check' } };
 * ```
 */
export interface CheckMcpHealthOptions extends MCPClientOptions {
  /** Also call this tool; the check fails when it errors or returns `isError`. */
  tool?: { name: string; args?: Record<string, unknown> };
  signal?: AbortSignal;
}

/**
 * One step of the probe.
 *
 * @example
 * ```ts
 * report.checks.filter((check: HealthCheck) => !check.ok);
 * ```
 */
export interface HealthCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly error?: string;
  /**
   * The HTTP status when the step failed with an HTTP error (401/403 tell an auth problem from an outage); an
   * `AuthRequiredError` from the `authProvider` counts as the 401 (or 403) the server answered.
   */
  readonly status?: number;
}

/**
 * What {@link checkMcpHealth} found.
 *
 * @example
 * ```ts
 * const report: HealthReport = await checkMcpHealth({ url });
 * ```
 */
export interface HealthReport {
  readonly healthy: boolean;
  /** The probed URL, without credentials (userinfo and secret-looking query values removed). */
  readonly url: string;
  /** Wall time of the whole probe, in ms. */
  readonly latencyMs: number;
  readonly serverInfo: { name: string; version: string } | undefined;
  readonly protocolVersion: string | undefined;
  readonly toolCount: number | undefined;
  readonly checks: readonly HealthCheck[];
}

/**
 * The HTTP status behind a failure, through `cause` chains (a retry wrapper around an HttpError). An
 * `AuthRequiredError` (the `authProvider` could not authorize) stands for the 401, or the 403 of a scope the
 * step-up could not get, that the server answered.
 */
function httpStatusOf(error: unknown): number | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if (current instanceof HttpError && current.source === 'server') return current.status;
    if (current instanceof AuthRequiredError) return current.reason === 'insufficient_scope' ? 403 : 401;
  }
  return undefined;
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/**
 * Probes an MCP server. Resolves `{ healthy: false, ... }` for any server or network failure.
 *
 * @example
 * ```ts
 * const report = await checkMcpHealth({ url: 'http://localhost:8051/mcp', timeoutMs: 5_000 });
 * if (!report.healthy) process.exitCode = 1;
 * ```
 */
export async function checkMcpHealth(options: CheckMcpHealthOptions = {}): Promise<HealthReport> {
  assertKnownOptions(options, 'client', ['tool', 'signal']);
  const { tool, signal, ...clientOptions } = options;
  if (tool !== undefined && (typeof tool !== 'object' || tool === null || typeof tool.name !== 'string' || tool.name === '')) {
    throw new TypeError(`Expected \`tool\` to be { name: string, args?: object }, got ${JSON.stringify(tool)}`);
  }
  const resolved = resolveClientOptions(clientOptions); // throws for invalid options, by design
  const now = resolved.now;
  const started = now();
  const checks: HealthCheck[] = [];
  let toolCount: number | undefined;
  await using client = new MCPClient({
    ...clientOptions,
    url: resolved.url,
    listen: false,
    connectTimeoutMs: clientOptions.connectTimeoutMs ?? clientOptions.timeoutMs,
    // A probe reports the server as it is now: no retries or breaker unless the caller asks for them.
    retry: clientOptions.retry ?? false,
    breaker: clientOptions.breaker ?? false,
  });

  async function step(name: string, run: () => Promise<void>): Promise<boolean> {
    const stepStarted = now();
    try {
      await run();
      checks.push({ name, ok: true, ms: now() - stepStarted });
      return true;
    } catch (error) {
      const status = httpStatusOf(error);
      checks.push({ name, ok: false, ms: now() - stepStarted, error: describeError(error), ...(status === undefined ? {} : { status }) });
      return false;
    }
  }

  if (await step('initialize', () => client.connect({ signal }))) {
    await step('ping', async () => {
      await client.ping({ signal });
    });
    await step('tools/list', async () => {
      toolCount = (await client.listTools({ signal })).tools.length;
    });
    if (tool) {
      await step(`tool:${tool.name}`, async () => {
        await client.callTool(tool.name, tool.args ?? {}, { signal, throwOnError: true });
      });
    }
  }
  const serverInfo = client.serverInfo;
  return {
    healthy: checks.every((check) => check.ok),
    url: redactUrl(resolved.url),
    latencyMs: now() - started,
    serverInfo: serverInfo ? { name: serverInfo.name, version: serverInfo.version } : undefined,
    protocolVersion: client.protocolVersion,
    toolCount,
    checks,
  };
}
