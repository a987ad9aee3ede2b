const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function hostnameOf(host: string): string {
  // `[::1]:8051` keeps its brackets; `localhost:8051` drops the port.
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  return host.split(':')[0] ?? host;
}

export interface OriginGuardOptions {
  /** True when the server is bound to a loopback address: then Host must be loopback (or allowed) too. */
  loopbackBind: boolean;
  allowedOrigins: readonly string[];
  allowedHosts: readonly string[];
}

/**
 * DNS rebinding protection (MCP spec, Streamable HTTP "Security Warning"): a browser page on
 * another origin must not reach a local server. Returns a refusal message, or undefined when the
 * request may proceed. Requests without `Origin` (non-browser clients) pass the Origin check.
 *
 * @example
 * ```ts
 * const refuse = createOriginGuard({ loopbackBind: true, allowedOrigins: [], allowedHosts: [] });
 * refuse({ host: '127.0.0.1:8051', origin: 'https://evil.example' }); // 'Invalid Origin header: https://evil.example'
 * ```
 */
export function createOriginGuard(options: OriginGuardOptions): (headers: { origin: string | null; host: string | null }) => string | undefined {
  const allowedOrigins = new Set(options.allowedOrigins);
  const allowedHosts = new Set(options.allowedHosts);
  return (headers) => {
    const origin = headers.origin;
    if (origin !== null && !allowedOrigins.has(origin)) {
      let hostname: string | undefined;
      try {
        hostname = new URL(origin).hostname;
      } catch {
        hostname = undefined;
      }
      if (hostname === undefined || !LOOPBACK_HOSTNAMES.has(hostname)) return `Invalid Origin header: ${origin}`;
    }
    const host = headers.host;
    if (options.loopbackBind || allowedHosts.size > 0) {
      if (host === null) return 'Missing Host header';
      const hostname = hostnameOf(host);
      if (!LOOPBACK_HOSTNAMES.has(hostname) && !allowedHosts.has(host) && !allowedHosts.has(hostname)) {
        return `Invalid Host header: ${host}`;
      }
    }
    return undefined;
  };
}

/**
 * Whether a bind address only accepts local connections.
 *
 * @example
 * ```ts
 * isLoopbackAddress('127.0.0.1'); // true
 * ```
 */
export function isLoopbackAddress(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
