/**
 * A CI health probe against a server that requires OAuth: the pipeline's machine credentials (client_credentials)
 * as the probe's `authProvider`, and an exit code that tells the job what is wrong:
 *   0 healthy, 1 unhealthy (down, failing), 3 the server wants more than these credentials can get (a scope),
 *   4 the credentials were refused (a rotated secret, a revoked client).
 * The same codes as `archon-mcp health`, which does this for a user's `archon-mcp login` or `--token`.
 *
 *   ARCHON_MCP_URL=https://mcp.example.com/mcp MCP_AUTH_ISSUER=https://auth.example.com \
 *   MCP_CLIENT_ID=ci-probe MCP_CLIENT_SECRET=... npx tsx examples/ci-health-probe.ts
 *
 * scripts/run-examples.sh runs it against the reference server behind a local OAuth authorization server, once
 * with the right secret (exit 0) and once with a wrong one (exit 4).
 */
import { ClientCredentialsProvider } from '@modelcontextprotocol/client';
import { checkMcpHealth } from '../src/index'; // in your project: from 'archon-mcp-client'

const url = process.env.ARCHON_MCP_URL ?? 'http://localhost:8051/mcp';
const authProvider = new ClientCredentialsProvider({
  clientId: process.env.MCP_CLIENT_ID ?? 'ci-probe',
  clientSecret: process.env.MCP_CLIENT_SECRET ?? '',
  expectedIssuer: process.env.MCP_AUTH_ISSUER ?? 'https://auth.example.com',
});

// Never throws for "unhealthy": every step is timed and reported. The 401 of the first request obtains the token.
const report = await checkMcpHealth({ url, authProvider, timeoutMs: 10_000 });
// A step the server refused carries its status; an AuthRequiredError counts as the 401/403 it answered.
const refused = report.checks.find((check) => check.status === 401 || check.status === 403);

console.log(`${report.healthy ? 'healthy' : 'UNHEALTHY'}: ${report.url} (${Math.round(report.latencyMs)} ms)`);
for (const check of report.checks) console.log(`  ${check.ok ? 'ok  ' : 'FAIL'}  ${check.name}  ${check.error ?? ''}`.trimEnd());
process.exitCode = refused?.status === 401 ? 4 : refused?.status === 403 ? 3 : report.healthy ? 0 : 1;
