import type { ServerResponse } from 'node:http';
import type { CleanupStatus } from '../cleanup/cleanup-scheduler';
import type { ServerMetrics } from '../observability/server-metrics';
import type { ProtocolEraName } from '../session-options';
import type { SessionStore } from '../stores/types';
import { jsonResponse, sendJson } from './json-rpc-error';

export interface HealthDeps {
  store: SessionStore;
  startedAt: number;
  instanceId: string;
  eras: readonly ProtocolEraName[];
  liveSessions(): number;
  cleanup(): CleanupStatus;
  isClosing(): boolean;
  /** Outcome of the start-up adoption self-test. */
  adoption: { enabled: boolean; reason?: string };
}

/**
 * The `/health` body.
 *
 * @example
 * ```ts
 * const report = (await (await fetch('http://127.0.0.1:8051/health')).json()) as HealthReport;
 * ```
 */
export interface HealthReport {
  status: 'ok' | 'unavailable' | 'draining';
  uptimeMs: number;
  instanceId: string;
  /** The protocol eras this server answers. */
  eras: ProtocolEraName[];
  store: { kind: string; connected: boolean; error?: string };
  sessions: { live: number; active: number; expired: number; closed: number; draining: number } | null;
  cleanup: CleanupStatus;
  /** Whether sessions can be adopted after a restart/failover (the start-up self-test passed). */
  adoption: { enabled: boolean; reason?: string };
}

/**
 * Store connectivity, session counts and the cleanup tiers' last runs: `ok` when the store answers,
 * `unavailable` when it does not, `draining` while shutting down.
 *
 * @example
 * ```ts
 * const report = await buildHealthReport(deps);
 * ```
 */
export async function buildHealthReport(deps: HealthDeps): Promise<HealthReport> {
  const report: HealthReport = {
    status: 'ok',
    uptimeMs: Date.now() - deps.startedAt,
    instanceId: deps.instanceId,
    eras: [...deps.eras],
    store: { kind: deps.store.kind, connected: true },
    sessions: null,
    cleanup: deps.cleanup(),
    adoption: deps.adoption,
  };
  try {
    await deps.store.ping();
    report.sessions = { live: deps.liveSessions(), ...(await deps.store.counts()) };
  } catch (error) {
    report.status = 'unavailable';
    report.store = { kind: deps.store.kind, connected: false, error: String(error) };
  }
  if (deps.isClosing() && report.status === 'ok') report.status = 'draining';
  return report;
}

function healthStatus(report: HealthReport): number {
  return report.status === 'ok' ? 200 : 503;
}

/**
 * `GET /health` as a web `Response`: 200 when ok, else 503.
 *
 * @example
 * ```ts
 * app.get('/health', async () => healthResponse(await buildHealthReport(deps)));
 * ```
 */
export function healthResponse(report: HealthReport): Response {
  return jsonResponse(healthStatus(report), report);
}

/**
 * `GET /health` on a Node response.
 *
 * @example
 * ```ts
 * sendHealth(res, await buildHealthReport(deps));
 * ```
 */
export function sendHealth(res: ServerResponse, report: HealthReport): void {
  sendJson(res, healthStatus(report), report);
}

/**
 * `GET /metrics` as a web `Response` (Prometheus text).
 *
 * @example
 * ```ts
 * return metricsResponse(metrics);
 * ```
 */
export async function metricsResponse(metrics: ServerMetrics): Promise<Response> {
  return new Response(await metrics.render(), { status: 200, headers: { 'content-type': metrics.contentType } });
}

/**
 * `GET /metrics` on a Node response.
 *
 * @example
 * ```ts
 * await sendMetrics(res, metrics);
 * ```
 */
export async function sendMetrics(res: ServerResponse, metrics: ServerMetrics): Promise<void> {
  const body = await metrics.render();
  res.writeHead(200, { 'content-type': metrics.contentType });
  res.end(body);
}
