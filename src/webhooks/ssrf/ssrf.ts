import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * SSRF protection for webhook endpoints. A customer chooses the URL we POST to, so
 * without a guard they could make our workers call loopback services, the private
 * network or a cloud metadata service (169.254.169.254) and read the answer back in the
 * delivery log.
 *
 * Addresses are checked twice: when the endpoint is registered (every address its host
 * resolves to), and at delivery, inside the connection itself: the connection pool of an
 * endpoint connects through `lookup` below, which resolves, refuses a forbidden address
 * and hands `net.connect` the very address it checked. A DNS answer that changes between
 * registration and delivery (rebinding) is therefore caught on the connection that
 * would have used it. Operators can allow ranges (`VW_WEBHOOK_SSRF_ALLOW`) for tests and
 * local demos.
 */

/** Why an address is refused. */
export type ForbiddenReason =
  'loopback' | 'private' | 'link_local' | 'metadata' | 'unspecified' | 'multicast' | 'reserved';

const RANGES: [string, number, 'ipv4' | 'ipv6', ForbiddenReason][] = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'private'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.169.254', 32, 'ipv4', 'metadata'],
  ['169.254.0.0', 16, 'ipv4', 'link_local'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.0.0.0', 24, 'ipv4', 'reserved'],
  ['192.0.2.0', 24, 'ipv4', 'reserved'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['198.18.0.0', 15, 'ipv4', 'reserved'],
  ['198.51.100.0', 24, 'ipv4', 'reserved'],
  ['203.0.113.0', 24, 'ipv4', 'reserved'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['fd00:ec2::254', 128, 'ipv6', 'metadata'],
  ['fc00::', 7, 'ipv6', 'private'],
  ['fe80::', 10, 'ipv6', 'link_local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
  ['2001:db8::', 32, 'ipv6', 'reserved'],
  ['100::', 64, 'ipv6', 'reserved'],
];

const FORBIDDEN = RANGES.map(([net, prefix, type, reason]) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, type);
  return { list, type, reason };
});

/** An IPv6 address that carries an IPv4 one (mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::`). */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const m = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (m?.[1]) return m[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex?.[1] && hex[2]) {
    const hi = parseInt(hex[1], 16);
    const lo = parseInt(hex[2], 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return undefined;
}

export interface SsrfGuard {
  /** Why `address` (an IP literal) may not be called, or undefined when it may. */
  forbidden(address: string): ForbiddenReason | 'not_an_ip' | undefined;
  /** Resolves `host` and checks every address; the first refusal wins. */
  check(host: string): Promise<{ ok: true; addresses: string[] } | SsrfRefusal>;
  /** A `net.connect` lookup that resolves, refuses forbidden addresses, and pins the checked one. */
  readonly lookup: LookupFunction;
}

export interface SsrfRefusal {
  ok: false;
  reason: ForbiddenReason | 'unresolvable' | 'not_an_ip';
  address?: string;
}

/** Thrown through a connection attempt refused by the guard. */
export class SsrfBlockedError extends Error {
  override name = 'SsrfBlockedError';
  readonly code = 'ERR_WEBHOOK_SSRF_BLOCKED';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly reason: string,
  ) {
    super(`refused to connect to ${host} (${address}): ${reason} address`);
  }
}

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) => {
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses: LookupAddress[]) => {
      if (err) reject(err);
      else resolve(addresses);
    });
  });

/**
 * `allow`: CIDR ranges (`127.0.0.0/8`, `::1/128`) or single addresses that are allowed
 * even though they are forbidden by default.
 */
export function createSsrfGuard(options: { allow?: readonly string[]; resolver?: Resolver } = {}) {
  const allowList = new BlockList();
  for (const entry of options.allow ?? []) {
    const [net, prefixText] = entry.split('/');
    const type = isIP(net ?? '') === 6 ? 'ipv6' : 'ipv4';
    if (!net || isIP(net) === 0)
      throw new Error(`SSRF allowlist entry "${entry}" is not an IP range`);
    const prefix = prefixText === undefined ? (type === 'ipv6' ? 128 : 32) : Number(prefixText);
    allowList.addSubnet(net, prefix, type);
  }
  const resolver = options.resolver ?? systemResolver;

  const forbidden = (address: string): ForbiddenReason | 'not_an_ip' | undefined => {
    const family = isIP(address);
    if (family === 0) return 'not_an_ip';
    const v4 = family === 6 ? embeddedIpv4(address) : address;
    const addr = v4 ?? address;
    const type = v4 !== undefined ? 'ipv4' : 'ipv6';
    if (allowList.check(addr, type)) return undefined;
    for (const f of FORBIDDEN) {
      if (f.type === type && f.list.check(addr, type)) return f.reason;
    }
    return undefined;
  };

  const check = async (host: string): Promise<{ ok: true; addresses: string[] } | SsrfRefusal> => {
    const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    let addresses: string[];
    if (isIP(bare) !== 0) {
      addresses = [bare];
    } else {
      try {
        addresses = (await resolver(bare)).map((a) => a.address);
      } catch {
        return { ok: false, reason: 'unresolvable' };
      }
      if (addresses.length === 0) return { ok: false, reason: 'unresolvable' };
    }
    for (const address of addresses) {
      const why = forbidden(address);
      if (why !== undefined) return { ok: false, reason: why, address };
    }
    return { ok: true, addresses };
  };

  const lookup: LookupFunction = (hostname, opts, callback) => {
    resolver(hostname).then(
      (found) => {
        // Refuse if any answer is forbidden: a mixed answer is how rebinding hides.
        for (const a of found) {
          const why = forbidden(a.address);
          if (why !== undefined) {
            const err = new SsrfBlockedError(hostname, a.address, why);
            (callback as (e: Error) => void)(err);
            return;
          }
        }
        const wanted = opts.family === 4 || opts.family === 6 ? opts.family : undefined;
        const usable = wanted ? found.filter((a) => a.family === wanted) : found;
        const first = usable[0];
        if (!first) {
          const err = Object.assign(new Error(`no usable address for ${hostname}`), {
            code: 'ENOTFOUND',
          });
          (callback as (e: Error) => void)(err);
          return;
        }
        if (opts.all) {
          (callback as (e: null, a: LookupAddress[]) => void)(
            null,
            usable.map((a) => ({ address: a.address, family: a.family })),
          );
        } else {
          callback(null, first.address, first.family);
        }
      },
      (err: unknown) => {
        (callback as (e: Error) => void)(err as Error);
      },
    );
  };

  return { forbidden, check, lookup } satisfies SsrfGuard;
}

export interface UrlPolicy {
  /** Accept `http:` URLs (dev profile); otherwise only `https:`. */
  allowHttp: boolean;
}

export type UrlProblem = 'url_invalid' | 'url_not_https' | 'url_has_credentials';

/** Static checks on an endpoint URL; the address checks come after (`SsrfGuard.check`). */
export function parseEndpointUrl(raw: string, policy: UrlPolicy): URL | UrlProblem {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'url_invalid';
  }
  if (raw.length > 2000 || url.hostname === '') return 'url_invalid';
  if (url.protocol !== 'https:' && !(policy.allowHttp && url.protocol === 'http:')) {
    return url.protocol === 'http:' ? 'url_not_https' : 'url_invalid';
  }
  if (url.username !== '' || url.password !== '') return 'url_has_credentials';
  url.hash = '';
  return url;
}
