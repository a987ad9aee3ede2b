/**
 * The token store on disk: one JSON file per (issuer, resource) under the user's config directory, mode 0600
 * in a 0700 directory, replaced atomically (temp file + fsync + rename) so a crash or a concurrent reader
 * never sees half a token, plus one lock file per resource so two processes at expiry do one refresh.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { acquireFileLock } from './file-lock';
import type { StoredCredentials, TokenStore, TokenStoreLock } from './token-store';

/**
 * @example
 * ```ts
 * const store = new FileTokenStore({ directory: '/var/lib/my-agent/mcp-tokens', lockTimeoutMs: 10_000 });
 * ```
 */
export interface FileTokenStoreOptions {
  /**
   * The directory for token files. @default $ARCHON_MCP_AUTH_DIR, else $XDG_CONFIG_HOME/archon-mcp/tokens,
   * else ~/.config/archon-mcp/tokens
   */
  directory?: string;
  /** A lock whose holder died, or that was not refreshed (heartbeat) for this long, is taken over, in ms. @default 30_000 */
  staleLockMs?: number;
  /** How long `lock()` waits for another process before it fails with `TimeoutError`, in ms. @default 30_000 */
  lockTimeoutMs?: number;
  /** The environment the default directory is read from. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The defaults of {@link FileTokenStoreOptions}.
 *
 * @example
 * ```ts
 * const staleMs = options.staleLockMs ?? FILE_TOKEN_STORE_DEFAULTS.staleLockMs;
 * ```
 */
export const FILE_TOKEN_STORE_DEFAULTS = { staleLockMs: 30_000, lockTimeoutMs: 30_000 } as const satisfies Required<
  Pick<FileTokenStoreOptions, 'staleLockMs' | 'lockTimeoutMs'>
>;

/** A token file is a few KiB; anything much larger is not ours and is not read. */
const MAX_RECORD_BYTES = 256 * 1_024;
const FILE_VERSION = 1;

/**
 * The directory tokens go to when none is given.
 *
 * @example
 * ```ts
 * defaultTokenDirectory({ XDG_CONFIG_HOME: '/home/me/.config' }); // '/home/me/.config/archon-mcp/tokens'
 * ```
 */
export function defaultTokenDirectory(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.ARCHON_MCP_AUTH_DIR) return resolve(env.ARCHON_MCP_AUTH_DIR);
  const configHome = env.XDG_CONFIG_HOME ? resolve(env.XDG_CONFIG_HOME) : join(homedir(), '.config');
  return join(configHome, 'archon-mcp', 'tokens');
}

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** `http://127.0.0.1:8051/mcp` -> `127.0.0.1_8051_mcp-<hash>`: readable in `ls`, unique by the hash. */
function resourceKey(resource: string): string {
  let readable = resource;
  try {
    const url = new URL(resource);
    readable = `${url.host}${url.pathname}`;
  } catch {
    // Not a URL: the hash alone keeps it unique.
  }
  const slug = readable.replace(/[^A-Za-z0-9.-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 48);
  return `${slug}-${hashOf(resource)}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Accepts only what the coordinator wrote; a damaged or foreign file reads as absent. */
function parseRecord(text: string): StoredCredentials | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(value) || value.version !== FILE_VERSION) return undefined;
  const { resource, issuer, savedAt, tokens, clientInformation, obtainedAt, expiresAt } = value;
  if (typeof resource !== 'string' || typeof issuer !== 'string' || typeof savedAt !== 'number') return undefined;
  if (tokens !== undefined && (!isObject(tokens) || typeof tokens.access_token !== 'string' || typeof tokens.token_type !== 'string')) return undefined;
  if (clientInformation !== undefined && (!isObject(clientInformation) || typeof clientInformation.client_id !== 'string')) return undefined;
  const finite = (candidate: unknown): number | undefined => (typeof candidate === 'number' && Number.isFinite(candidate) ? candidate : undefined);
  return {
    resource,
    issuer,
    savedAt,
    tokens: tokens as StoredCredentials['tokens'],
    clientInformation: clientInformation as StoredCredentials['clientInformation'],
    obtainedAt: finite(obtainedAt),
    expiresAt: finite(expiresAt),
  };
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

/**
 * @example
 * ```ts
 * const tokenStore = new FileTokenStore();
 * const auth = createAuthCoordinator({ serverUrl: url, authProvider, tokenStore });
 * ```
 */
export class FileTokenStore implements TokenStore {
  readonly id: string;
  /** The directory holding the token files (absolute). */
  readonly directory: string;
  readonly #staleLockMs: number;
  readonly #lockTimeoutMs: number;

  constructor(options: FileTokenStoreOptions = {}) {
    if (options.directory !== undefined && (typeof options.directory !== 'string' || options.directory === '')) {
      throw new TypeError(`Expected \`directory\` to be a non-empty path, got ${JSON.stringify(options.directory)}`);
    }
    for (const name of ['staleLockMs', 'lockTimeoutMs'] as const) {
      const value = options[name];
      if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > 2_147_483_647)) {
        throw new TypeError(`Expected \`${name}\` to be an integer from 1 to 2147483647, got ${String(value)}`);
      }
    }
    this.directory = options.directory === undefined ? defaultTokenDirectory(options.env) : resolve(options.directory);
    this.id = `file:${this.directory}`;
    this.#staleLockMs = options.staleLockMs ?? FILE_TOKEN_STORE_DEFAULTS.staleLockMs;
    this.#lockTimeoutMs = options.lockTimeoutMs ?? FILE_TOKEN_STORE_DEFAULTS.lockTimeoutMs;
  }

  /** The file that holds (resource, issuer). */
  pathFor(resource: string, issuer: string): string {
    return join(this.directory, `${resourceKey(resource)}.${hashOf(issuer)}.json`);
  }

  async read(resource: string, issuer?: string): Promise<StoredCredentials | undefined> {
    if (issuer !== undefined) return await this.#readFile(this.pathFor(resource, issuer), resource);
    let latest: StoredCredentials | undefined;
    for (const path of await this.#filesOf(resource)) {
      const record = await this.#readFile(path, resource);
      if (record !== undefined && (latest === undefined || record.savedAt >= latest.savedAt)) latest = record;
    }
    return latest;
  }

  async write(credentials: StoredCredentials): Promise<void> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const path = this.pathFor(credentials.resource, credentials.issuer);
    const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.chmod(0o600); // whatever the umask
      await handle.writeFile(`${JSON.stringify({ version: FILE_VERSION, ...credentials }, null, 2)}\n`);
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temporary, { force: true });
      throw error;
    }
    await handle.close();
    try {
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async remove(resource: string, issuer?: string): Promise<number> {
    const paths = issuer === undefined ? await this.#filesOf(resource) : [this.pathFor(resource, issuer)];
    let removed = 0;
    for (const path of paths) {
      try {
        await rm(path);
        removed++;
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw error;
      }
    }
    return removed;
  }

  async lock(resource: string): Promise<TokenStoreLock> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    return await acquireFileLock(join(this.directory, `${resourceKey(resource)}.lock`), {
      staleMs: this.#staleLockMs,
      timeoutMs: this.#lockTimeoutMs,
    });
  }

  async #filesOf(resource: string): Promise<string[]> {
    const prefix = `${resourceKey(resource)}.`;
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return [];
      throw error;
    }
    return names.filter((name) => name.startsWith(prefix) && name.endsWith('.json')).map((name) => join(this.directory, name));
  }

  async #readFile(path: string, resource: string): Promise<StoredCredentials | undefined> {
    try {
      if ((await stat(path)).size > MAX_RECORD_BYTES) return undefined;
      const record = parseRecord(await readFile(path, 'utf8'));
      // The file name is a hash: make sure the record is the one asked for.
      return record?.resource === resource ? record : undefined;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw error;
    }
  }
}
