/**
 * One of the two processes of the cross-process refresh test: a coordinator over the shared file store that
 * makes one request when the parent says "go" (stdin), so both processes reach expiry at the same moment.
 * Prints `ready`, then one JSON line with the token the request used.
 *   env: AUTH_DIR, RESOURCE_URL, CLIENT_OFFSET_MS
 */
import { once } from 'node:events';
import { createAuthCoordinator, FileTokenStore } from '../../../src/auth/index';
import { callResource, InteractiveTestProvider } from './fixtures';

const directory = process.env.AUTH_DIR ?? '';
const url = process.env.RESOURCE_URL ?? '';
const offsetMs = Number(process.env.CLIENT_OFFSET_MS ?? '0');
const store = new FileTokenStore({ directory });
const auth = createAuthCoordinator({
  serverUrl: url,
  authProvider: new InteractiveTestProvider('archon-cli'),
  tokenStore: store,
  now: () => Date.now() + offsetMs,
  refreshJitterMs: 0,
});

process.stdout.write('ready\n');
await once(process.stdin, 'data');
const headers = await auth.headers();
const result = await callResource(auth, url);
process.stdout.write(`${JSON.stringify({ ok: result.ok, sent: headers.authorization ?? null, stored: (await store.read(url))?.tokens?.access_token })}\n`);
process.stdin.destroy();
