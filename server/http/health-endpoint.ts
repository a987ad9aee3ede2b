import type { ServerResponse } from 'node:http';
import type { CleanupStatus } from '../cleanup/cleanup-scheduler';
import type { ServerMetrics } from '../observability/server-metrics';
import type { SessionStore } from '../stores/types';
import { sendJson } from './json-rpc-error';

export interface HealthDeps {
  store: SessionStore;
  metrics: ServerMetrics;
  startedAt: number;
  instanceId: string;
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
  store: { kind: string; connected: boolean; error?: string };
  sessions: { live: number; active: number; expired: number; closed: number; draining: number } | null;
  cleanup: CleanupStatus;
  /** Whether sessions can be adopted after a restart/failover (the SDK-internals self-test passed). */
  adoption: { enabled: boolean; reason?: string };
}

/**
 * `GET /health`: 200 when the store answers, 503 when it does not (or while shutting down), with
 * store connectivity, session counts and the cleanup tiers' last runs.
 *
 * @example
 * ```ts
 * await sendHealth(res, deps);
 * ```
 */
export async function sendHealth(res: ServerResponse, deps: HealthDeps): Promise<void> {
  const report: HealthReport = {
    status: 'ok',
    uptimeMs: Date.now() - deps.startedAt,
    instanceId: deps.instanceId,
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
  sendJson(res, report.status === 'ok' ? 200 : 503, report);
}

/**
 * `GET /metrics`: this server's Prometheus registry.
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
