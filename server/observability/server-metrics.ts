import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export type CleanupTier = 'fast' | 'regular' | 'deep';

/**
 * The Prometheus metrics of ONE server, in its own Registry: the global registry would mix
 * servers (several run in one test process) and collide on re-registration.
 * `mcp_sessions_active` is a gauge without `_total` (Prometheus naming, server-anchors.md).
 *
 * @example
 * ```ts
 * const metrics = new ServerMetrics(() => manager.liveCount);
 * const text = await metrics.render();
 * ```
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly sessionsCreated: Counter;
  readonly sessionsExpired: Counter;
  readonly sessionsRecovered: Counter;
  readonly cleanupRuns: Counter<'tier' | 'result'>;
  readonly validationDuration: Histogram;
  readonly requests: Counter<'method' | 'status'>;

  constructor(liveSessions: () => number) {
    const registers = [this.registry];
    new Gauge({
      name: 'mcp_sessions_active',
      help: 'Sessions live in this process',
      registers,
      collect() {
        this.set(liveSessions());
      },
    });
    this.sessionsCreated = new Counter({ name: 'mcp_sessions_created_total', help: 'Sessions created', registers });
    this.sessionsExpired = new Counter({ name: 'mcp_sessions_expired_total', help: 'Sessions expired', registers });
    this.sessionsRecovered = new Counter({
      name: 'mcp_sessions_recovered_total',
      help: 'Sessions adopted from the store after a restart or failover',
      registers,
    });
    this.cleanupRuns = new Counter({
      name: 'mcp_cleanup_runs_total',
      help: 'Cleanup runs by tier and result',
      labelNames: ['tier', 'result'],
      registers,
    });
    this.validationDuration = new Histogram({
      name: 'mcp_session_validation_duration_seconds',
      help: 'Time to validate a session against the store',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.requests = new Counter({
      name: 'mcp_requests_total',
      help: 'MCP endpoint requests by HTTP method and status',
      labelNames: ['method', 'status'],
      registers,
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
