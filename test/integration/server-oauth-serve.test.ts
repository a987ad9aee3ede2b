/**
 * `archon-mcp serve --oauth-issuer <url>`: the reference server as a resource server of a real authorization
 * server, its resource defaulting to its own URL (known once the port is bound).
 */
import { expect, test } from 'vitest';
import { parseServeOptions, runServe } from '../../server/serve';
import { startAuthorizationServer } from '../auth/support/authorization-server';
import { bearer, challengeParams, clientCredentialsToken } from '../support/oauth-resource-stack';
import { RawMcpSession, initializeMessage, postMcp } from '../support/server-raw-client';

test('serve --oauth-issuer: metadata for its own URL, 401 without a token, a session with one', async () => {
  const as = await startAuthorizationServer();
  const output: string[] = [];
  const controller = new AbortController();
  try {
    const command = parseServeOptions(['--port', '0', '--store', 'memory', '--oauth-issuer', as.issuer, '--oauth-scopes', 'mcp'], {});
    if (command.help) throw new Error('unexpected --help');
    const running = runServe(command.options, { stdout: { write: (chunk) => output.push(chunk) }, signal: controller.signal });
    const deadline = Date.now() + 10_000;
    while (output.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const url = String(/listening on (\S+)/.exec(output.join(''))?.[1]);
    const metadataUrl = url.replace('/mcp', '/.well-known/oauth-protected-resource/mcp');

    expect(await (await fetch(metadataUrl)).json()).toMatchObject({
      resource: url,
      authorization_servers: [as.issuer],
      scopes_supported: ['mcp'],
    });
    const refused = await postMcp(url, initializeMessage());
    expect([refused.status, challengeParams(refused.headers.get('www-authenticate'))]).toEqual([
      401,
      { resource_metadata: metadataUrl, scope: 'mcp' },
    ]);
    const session = await RawMcpSession.initialize(url, {
      headers: bearer(await clientCredentialsToken(as, { clientId: 'ci', resource: url, scope: 'mcp' })),
    });
    expect(JSON.stringify(await session.callTool('echo', { text: 'through serve' }))).toContain('through serve');

    controller.abort();
    await running;
  } finally {
    controller.abort();
    await as.close();
  }
});
