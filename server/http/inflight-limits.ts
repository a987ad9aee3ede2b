/**
 * How many requests one client may have in flight (issue 9, case 8): per client IP and per principal, from the
 * request's arrival until its response has ended, an SSE stream counting for as long as it is open. Without a
 * bound one client held 300 of 300 stalled POSTs; now its share is capped and the rest of the server stays
 * available. Counts live in maps whose entries go when they reach zero, so memory follows the requests in flight.
 */
import { isIPv6 } from 'node:net';

/**
 * The key of a client IP for the per-IP limits: an IPv4 address as is (also when IPv4-mapped, `::ffff:a.b.c.d`),
 * an IPv6 address by its /64 (one host usually holds a whole /64), undefined when the host gave none.
 *
 * @example
 * ```ts
 * clientIpKey('::ffff:127.0.0.1'); // '127.0.0.1'
 * clientIpKey('2001:db8:1:2:aaaa::1'); // '2001:db8:1:2::/64'
 * ```
 */
export function clientIpKey(address: string | undefined): string | undefined {
  if (address === undefined || address.length === 0) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  const plain = address.replace(/%.*$/, '');
  if (!isIPv6(plain)) return plain;
  const [head = '', tail = ''] = plain.toLowerCase().split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const groups = plain.includes('::') ? [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups] : headGroups;
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * The slots one request holds; `release()` is idempotent.
 *
 * @example
 * ```ts
 * const lease = limits.acquire(clientIpKey(req.socket.remoteAddress));
 * if (lease.refusedBy !== undefined) return tooMany(lease.refusedBy);
 * ```
 */
export interface InflightLease {
  /** The bound that refused the request, if one did (nothing is held then). */
  readonly refusedBy: 'ip' | 'principal' | undefined;
  /** Takes the principal's slot once it is known; false (and nothing more held) over its bound. */
  addPrincipal(principalHash: string | null): boolean;
  release(): void;
}

/**
 * @example
 * ```ts
 * const limits = new InflightLimits({ maxInFlightPerIp: 512, maxInFlightPerPrincipal: 2_048 });
 * ```
 */
export class InflightLimits {
  readonly #maxPerIp: number;
  readonly #maxPerPrincipal: number;
  readonly #byIp = new Map<string, number>();
  readonly #byPrincipal = new Map<string, number>();

  constructor(options: { maxInFlightPerIp: number; maxInFlightPerPrincipal: number }) {
    this.#maxPerIp = options.maxInFlightPerIp;
    this.#maxPerPrincipal = options.maxInFlightPerPrincipal;
  }

  /** Requests in flight now, all clients. */
  get total(): number {
    let total = 0;
    for (const count of this.#byIp.values()) total += count;
    return total;
  }

  /** Takes a slot for the client IP (none is taken when the host gave no address). */
  acquire(ipKey: string | undefined): InflightLease {
    if (ipKey !== undefined && !take(this.#byIp, ipKey, this.#maxPerIp)) return REFUSED_BY_IP;
    let principal: string | undefined;
    let released = false;
    return {
      refusedBy: undefined,
      addPrincipal: (principalHash) => {
        if (principalHash === null || principal !== undefined || released) return true;
        if (!take(this.#byPrincipal, principalHash, this.#maxPerPrincipal)) return false;
        principal = principalHash;
        return true;
      },
      release: () => {
        if (released) return;
        released = true;
        if (ipKey !== undefined) give(this.#byIp, ipKey);
        if (principal !== undefined) give(this.#byPrincipal, principal);
      },
    };
  }
}

const REFUSED_BY_IP: InflightLease = { refusedBy: 'ip', addPrincipal: () => false, release: () => undefined };

function take(counts: Map<string, number>, key: string, max: number): boolean {
  const count = counts.get(key) ?? 0;
  if (count >= max) return false;
  counts.set(key, count + 1);
  return true;
}

function give(counts: Map<string, number>, key: string): void {
  const count = (counts.get(key) ?? 1) - 1;
  if (count <= 0) counts.delete(key);
  else counts.set(key, count);
}

/**
 * `response`, with `release` called once it has ended: at once for a body already complete, when an SSE stream
 * ends, errors or is cancelled (the client left) otherwise.
 *
 * @example
 * ```ts
 * return releaseWhenDone(response, () => lease.release());
 * ```
 */
export function releaseWhenDone(response: Response, release: () => void): Response {
  const body = response.body;
  if (body === null || response.headers.get('content-type')?.startsWith('text/event-stream') !== true) {
    release();
    return response;
  }
  const source = body.getReader();
  const relay = new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      try {
        const { done, value } = await source.read();
        if (done) {
          release();
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        release();
        controller.error(error);
      }
    },
    cancel: async (reason) => {
      release();
      await source.cancel(reason);
    },
  });
  return new Response(relay, { status: response.status, statusText: response.statusText, headers: response.headers });
}
