import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { networkCall } from '../db/network-guard.js';
import { fail, type Failure } from '../failure.js';

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

// Cloud metadata services: link-local (or unique-local) too, but named apart so an
// operator reading a refusal sees what was aimed at.
const METADATA = [ipaddr.parse('169.254.169.254'), ipaddr.parse('fd00:ec2::254')];

// ipaddr.js keeps the special-purpose registries (RFC 6890 and successors); every range
// it names is refused, under the reason a customer can act on. Only `unicast` passes.
const REASON_OF_RANGE: Record<string, ForbiddenReason> = {
  unspecified: 'unspecified',
  loopback: 'loopback',
  private: 'private',
  carrierGradeNat: 'private',
  uniqueLocal: 'private',
  linkLocal: 'link_local',
  deprecatedSiteLocal: 'private',
  multicast: 'multicast',
  broadcast: 'reserved',
};

/**
 * The IPv4 addresses an IPv6 address carries and would reach: IPv4-mapped
 * (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`), SIIT (`::ffff:0:a.b.c.d`), NAT64
 * (`64:ff9b::a.b.c.d`), 6to4 (`2002:AABB:CCDD::`) and Teredo (server, and the client
 * stored inverted in the last 32 bits). Empty when it carries none.
 */
function embeddedIpv4(v6: ipaddr.IPv6): ipaddr.IPv4[] {
  const p = v6.parts;
  const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 255, lo >> 8, lo & 255]);
  const last = () => v4(p[6] ?? 0, p[7] ?? 0);
  const range = v6.range();
  switch (range) {
    case 'ipv4Mapped':
    case 'rfc6145':
      return [last()];
    case 'rfc6052':
      // The well-known prefix 64:ff9b::/96 carries it in the last 32 bits; the local-use
      // 64:ff9b:1::/48 is a deployment's own translator, refused whole (see classify).
      return p[2] === 0 ? [last()] : [];
    case '6to4':
      return [v4(p[1] ?? 0, p[2] ?? 0)];
    case 'teredo':
      return [v4(p[2] ?? 0, p[3] ?? 0), v4(~(p[6] ?? 0) & 0xffff, ~(p[7] ?? 0) & 0xffff)];
    default:
      // IPv4-compatible (deprecated, still routed by some stacks): 96 zero bits, and not
      // the unspecified or loopback address, which are IPv6's own.
      if (p.slice(0, 6).every((x) => x === 0) && range !== 'unspecified' && range !== 'loopback')
        return [last()];
      return [];
  }
}

function classify(addr: ipaddr.IPv4 | ipaddr.IPv6): ForbiddenReason | undefined {
  if (METADATA.some((m) => m.kind() === addr.kind() && m.toString() === addr.toString()))
    return 'metadata';
  const range = addr.range();
  if (range === 'unicast') return undefined;
  return REASON_OF_RANGE[range] ?? 'reserved';
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
  const resolve = options.resolver ?? systemResolver;
  // A DNS answer can take seconds: never while a database transaction is open.
  const resolver: Resolver = async (host) => {
    networkCall(`dns lookup ${host}`);
    return resolve(host);
  };

  const allowed = (addr: ipaddr.IPv4 | ipaddr.IPv6) =>
    allowList.check(addr.toString(), addr.kind() === 'ipv4' ? 'ipv4' : 'ipv6');

  const forbidden = (address: string): ForbiddenReason | 'not_an_ip' | undefined => {
    // node's isIP is strict (ipaddr.js would also take `127.1` or `0x7f.1` for IPv4).
    if (isIP(address) === 0) return 'not_an_ip';
    const addr = ipaddr.parse(address);
    if (addr.kind() === 'ipv4') return allowed(addr) ? undefined : classify(addr);
    const v6 = addr as ipaddr.IPv6;
    const carried = embeddedIpv4(v6);
    if (carried.length > 0) {
      // Judged by where the packets would go: every IPv4 address it carries.
      for (const v4 of carried) {
        if (!allowed(v4) && !allowed(v6)) {
          const why = classify(v4);
          if (why !== undefined) return why;
        }
      }
      return undefined;
    }
    return allowed(v6) ? undefined : classify(v6);
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
export function parseEndpointUrl(raw: string, policy: UrlPolicy): URL | Failure<UrlProblem> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail('url_invalid');
  }
  if (raw.length > 2000 || url.hostname === '') return fail('url_invalid');
  if (url.protocol !== 'https:' && !(policy.allowHttp && url.protocol === 'http:')) {
    return fail(url.protocol === 'http:' ? 'url_not_https' : 'url_invalid');
  }
  if (url.username !== '' || url.password !== '') return fail('url_has_credentials');
  url.hash = '';
  return url;
}
