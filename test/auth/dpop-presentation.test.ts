/**
 * SEP-1932 / RFC 9449 on the resource side: a DPoP-bound token goes out with the `DPoP` scheme and a fresh proof
 * per request (the SDK's DpopSession signs it; jose verifies it here, as a resource server would), a nonce the
 * server sent is in the next proof, and a Bearer token, or a provider without a key, stays Bearer.
 */
import { DpopSession, type OAuthClientProvider } from '@modelcontextprotocol/client';
import { createHash } from 'node:crypto';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { describe, expect, test } from 'vitest';
import { isDpopNonceChallenge } from '../../src/auth/auth-coordinator';
import type { CurrentToken } from '../../src/auth/credential-backing';
import { presentToken, rememberDpopNonce } from '../../src/auth/dpop-presentation';

const URL_MCP = 'https://mcp.example.com/mcp?ignored=1';

function tokenOf(tokenType: string | undefined): CurrentToken {
  return { accessToken: 'at-123', tokenType, scope: undefined, refreshable: false, obtainedAtMs: undefined, expiresAtMs: undefined };
}

function withKey(session: DpopSession | undefined): OAuthClientProvider {
  return { dpop: async () => session } as unknown as OAuthClientProvider;
}

async function verifiedProof(proof: string | undefined) {
  const header = decodeProtectedHeader(proof ?? '');
  expect(header).toMatchObject({ typ: 'dpop+jwt' });
  const { payload } = await jwtVerify(proof ?? '', await importJWK(header.jwk as Parameters<typeof importJWK>[0], header.alg), { typ: 'dpop+jwt' });
  return payload;
}

describe('presentToken', () => {
  test('a DPoP-bound token: DPoP scheme, a proof for this method and URL, bound to the token (ath), a new jti each time', async () => {
    const provider = withKey(await DpopSession.create());
    const first = await presentToken(provider, tokenOf('DPoP'), { method: 'POST', url: URL_MCP });
    const second = await presentToken(provider, tokenOf('DPoP'), { method: 'POST', url: URL_MCP });
    expect(first.authorization).toBe('DPoP at-123');
    const claims = await verifiedProof(first.dpop);
    expect(claims).toMatchObject({ htm: 'POST', htu: 'https://mcp.example.com/mcp', ath: createHash('sha256').update('at-123').digest('base64url') });
    expect((await verifiedProof(second.dpop)).jti).not.toBe(claims.jti);
  });

  test("the server's nonce (from any answer) is in the next proof", async () => {
    const provider = withKey(await DpopSession.create());
    await rememberDpopNonce(provider, { url: URL_MCP, dpopNonce: 'n-42' });
    const { dpop } = await presentToken(provider, tokenOf('dpop'), { method: 'GET', url: URL_MCP });
    expect(await verifiedProof(dpop)).toMatchObject({ htm: 'GET', nonce: 'n-42' });
  });

  test.each([
    ['a Bearer token from a provider with a key', { dpop: () => DpopSession.create() } as unknown as OAuthClientProvider, 'Bearer'],
    ['a DPoP token from a provider whose dpop() has no session', withKey(undefined), 'DPoP'],
    ['a DPoP token from a provider without a key', {} as OAuthClientProvider, 'DPoP'],
  ])('%s stays Bearer, without a proof', async (_label, provider, tokenType) => {
    expect(await presentToken(provider, tokenOf(tokenType), { method: 'POST', url: URL_MCP })).toEqual({ authorization: 'Bearer at-123' });
  });
});

test.each([
  [401, 'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"', true],
  [401, 'Bearer realm="x", DPoP error="use_dpop_nonce"', true],
  [401, 'DPoP error="invalid_token"', false],
  [401, 'Bearer error="use_dpop_nonce"', false],
  [403, 'DPoP error="use_dpop_nonce"', false],
])('isDpopNonceChallenge(%i, %s) is %s', (status, header, expected) => {
  expect(isDpopNonceChallenge(status, header)).toBe(expected);
});
