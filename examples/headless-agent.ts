/**
 * A headless agent (no browser, no user) on a server that requires OAuth: the client_credentials grant through
 * the official SDK's ClientCredentialsProvider (client_secret_basic) or PrivateKeyJwtProvider
 * (private_key_jwt), handed to MCPClient as its `authProvider`. The client adds what the SDK does not: one
 * token request for any number of concurrent calls, a new token before the old one expires, a 401 answered
 * without spending a retry, and a typed AuthRequiredError when the credentials are refused.
 *
 *   ARCHON_MCP_URL=https://mcp.example.com/mcp MCP_AUTH_ISSUER=https://auth.example.com \
 *   MCP_CLIENT_ID=billing-agent MCP_CLIENT_SECRET=... npx tsx examples/headless-agent.ts
 *   (or MCP_CLIENT_PRIVATE_KEY="$(cat agent-key.pem)" instead of the secret, for private_key_jwt with ES256)
 *
 * scripts/run-examples.sh runs it against the reference server behind a local OAuth authorization server
 * (oauth2-mock-server) and a JWT-checking resource in front of the server.
 */
import { ClientCredentialsProvider, PrivateKeyJwtProvider } from '@modelcontextprotocol/client';
import { AuthRequiredError, MCPClient } from '../src/index'; // in your project: from 'archon-mcp-client'

const url = process.env.ARCHON_MCP_URL ?? 'http://localhost:8051/mcp';
const clientId = process.env.MCP_CLIENT_ID ?? 'headless-agent';
// The authorization server your credentials belong to: they are never sent to another one.
const expectedIssuer = process.env.MCP_AUTH_ISSUER ?? 'https://auth.example.com';

const authProvider = process.env.MCP_CLIENT_PRIVATE_KEY
  ? new PrivateKeyJwtProvider({ clientId, privateKey: process.env.MCP_CLIENT_PRIVATE_KEY, algorithm: 'ES256', expectedIssuer })
  : new ClientCredentialsProvider({ clientId, clientSecret: process.env.MCP_CLIENT_SECRET ?? '', expectedIssuer });

{
  await using client = new MCPClient({ url, authProvider, listen: false });
  try {
    // Three calls at once: the first 401 obtains one token, and all three are re-sent with it.
    const replies = await Promise.all(['plan', 'fetch', 'report'].map((text) => client.callTool('echo', { text })));
    for (const reply of replies) console.log('echo ->', JSON.stringify(reply.structuredContent ?? reply.content));
  } catch (error) {
    if (!(error instanceof AuthRequiredError)) throw error;
    // Definite: the credentials were refused (reason 'rejected') or the flow failed ('failed'); retrying will not help.
    console.error(`authorization failed (${error.reason}): ${error.message}`);
    process.exitCode = 1;
  }
}
