/**
 * One undici Agent shared, with a reference count, by every client in the process that uses the same
 * timeouts. Measured: an Agent with one keep-alive socket costs ~34 KB of heap, and undici's pool keeps
 * a second socket for back-to-back requests, so one Agent per client put an idle connected client at
 * ~50 KB (issue 2 target: 40 KB). Sharing lets idle clients of one server share their pooled sockets.
 * The last release destroys the Agent, so no socket outlives the last client.
 *
 * Background streams (the legacy GET stream, the modern listen stream) get an Agent of their own whose sockets
 * never hold the event loop (issue 10: a script that forgot `close()` never exited, while undici and
 * openai-node let it). undici refs a socket for as long as it carries a request (`resumeH1` in
 * client-h1.js), and a notification stream is a request that never ends; so these sockets are unref'd at
 * connect and their `ref()` is made a no-op. Only background streams use that Agent: a pending call's
 * socket stays ref'd, so a process with a call in flight stays alive.
 */
import type { Socket } from 'node:net';
import type { Agent, buildConnector } from 'undici';

/** Agent settings that must match for two clients to share an Agent. */
export interface SharedAgentKey {
  readonly headersTimeoutMs: number;
  readonly connectTimeoutMs: number;
  /** For background streams: sockets that never keep the process alive. @default false */
  readonly background?: boolean;
}

/** A socket of a background stream: unref'd now and whenever undici would ref it again. */
function keepUnref(socket: Socket): void {
  socket.unref();
  socket.ref = () => socket;
}

/** undici's own connector (TLS, timeouts, happy eyeballs), with every socket it makes unref'd. */
function unrefConnector(build: typeof buildConnector, connectTimeoutMs: number): buildConnector.connector {
  const connect = build({ timeout: connectTimeoutMs });
  return (options, callback) =>
    connect(options, (error, socket) => {
      if (error === null) keepUnref(socket as Socket);
      (callback as (error: Error | null, socket: unknown) => void)(error, socket);
    });
}

/**
 * A counted reference to a shared Agent; `release()` exactly once.
 *
 * @example
 * ```ts
 * const lease = await acquireSharedAgent({ headersTimeoutMs: 61_000, connectTimeoutMs: 10_000 });
 * await lease.dispatcher.request({ origin, path: '/mcp', method: 'GET' });
 * await lease.release();
 * ```
 */
export interface AgentLease {
  readonly dispatcher: Agent;
  release(): Promise<void>;
}

interface Entry {
  readonly agent: Agent;
  refs: number;
}

const agents = new Map<string, Entry>();
let undiciModule: Promise<typeof import('undici')> | undefined;

/**
 * Takes a reference to the shared Agent for `key`, creating it (and loading undici) on first use.
 *
 * @example
 * ```ts
 * const lease = await acquireSharedAgent({ headersTimeoutMs: 61_000, connectTimeoutMs: 10_000 });
 * ```
 */
export async function acquireSharedAgent(key: SharedAgentKey): Promise<AgentLease> {
  undiciModule ??= import('undici');
  const { Agent, buildConnector: build } = await undiciModule;
  const background = key.background === true;
  const id = `${key.headersTimeoutMs}/${key.connectTimeoutMs}${background ? '/background' : ''}`;
  let entry = agents.get(id);
  if (!entry) {
    const agent = new Agent({
      // SSE notification streams idle for minutes; undici's default 300 s body timeout would kill them.
      bodyTimeout: 0,
      headersTimeout: key.headersTimeoutMs,
      connectTimeout: key.connectTimeoutMs,
      keepAliveTimeout: 30_000,
      ...(background ? { connect: unrefConnector(build, key.connectTimeoutMs) } : {}),
    });
    entry = { agent, refs: 0 };
    agents.set(id, entry);
  }
  entry.refs++;
  const held = entry;
  let released = false;
  return {
    dispatcher: held.agent,
    async release(): Promise<void> {
      if (released) return;
      released = true;
      held.refs--;
      if (held.refs > 0) return;
      if (agents.get(id) === held) agents.delete(id);
      // destroy() rather than close(): close() waits for open SSE bodies, which never end by themselves.
      await held.agent.destroy();
    },
  };
}
