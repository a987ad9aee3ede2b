/**
 * URLs go into error messages and log lines, which end up in CI logs and bug reports: userinfo
 * (`https://user:token@host`) and secret-looking query values (`?api_key=...`) must never reach them.
 */

/** Query parameter names whose values are treated as secrets (OAuth, API keys, signed URLs). */
const SECRET_PARAM = /token|key|secret|pass|pwd|auth|sig|credential|code|session/i;

/**
 * The URL without credentials: userinfo and fragment removed, secret-looking query values replaced by
 * `REDACTED`. Something that does not parse as a URL is returned as `(invalid URL)` rather than echoed.
 *
 * @example
 * ```ts
 * redactUrl('https://me:pw@api.example.com/mcp?api_key=abc&region=eu'); // 'https://api.example.com/mcp?api_key=REDACTED&region=eu'
 * ```
 */
export function redactUrl(url: URL | string): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return '(invalid URL)';
  }
  parsed.username = '';
  parsed.password = '';
  parsed.hash = '';
  for (const name of new Set(parsed.searchParams.keys())) {
    if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, 'REDACTED');
  }
  return parsed.href;
}

/**
 * "`method` to `url`" for messages: what was being done, and where.
 *
 * @example
 * ```ts
 * describeTarget('tools/call', new URL('http://127.0.0.1:8051/mcp')); // 'tools/call to http://127.0.0.1:8051/mcp'
 * describeTarget(undefined, 'http://127.0.0.1:8051/mcp');            // 'request to http://127.0.0.1:8051/mcp'
 * ```
 */
export function describeTarget(method: string | undefined, url: URL | string): string {
  return `${method ?? 'request'} to ${redactUrl(url)}`;
}
