/**
 * For scripts/run-examples.sh: puts OAuth in front of the reference server at $ARCHON_MCP_URL, so the auth
 * examples (headless-agent.ts, ci-health-probe.ts) run against a real authorization server in CI. It is the
 * test suite's pair: oauth2-mock-server with one confidential client (client_secret_basic), and the resource
 * stand-in that verifies its JWTs and forwards accepted requests to the reference server.
 * Prints one JSON line {"url","issuer","clientId","clientSecret"} once listening; runs until SIGTERM/SIGINT.
 */
import { startAuthorizationServer } from '../test/auth/support/authorization-server';
import { startResourceServer } from '../test/auth/support/resource-server';

const upstream = process.env.ARCHON_MCP_URL;
if (upstream === undefined) {
  console.error('oauth-example-stack: set ARCHON_MCP_URL to the MCP endpoint to protect');
  process.exit(2);
}
const clientId = 'example-agent';
const clientSecret = 'example-secret';
const as = await startAuthorizationServer({ clientSecrets: { [clientId]: clientSecret } });
const rs = await startResourceServer({ issuer: as.issuer, jwksUrl: as.jwksUrl, upstream });
console.log(JSON.stringify({ url: rs.url, issuer: as.issuer, clientId, clientSecret }));

const stop = async (): Promise<void> => {
  await rs.close();
  await as.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
