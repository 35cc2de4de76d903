import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A scripted CometBFT chain for rehearsing faults: an HTTP server on 127.0.0.1 that
 * speaks the CometBFT RPC (`/status`, `/net_info`, `/block`, `/commit`, `/validators`)
 * for any number of nodes, each at `<url>/<node name>`, with the response bodies shaped
 * as CometBFT v0.38 answers them (docs.cometbft.com/v0.38/rpc; the JSON-RPC envelope,
 * decimal-string heights, upper-case hex hashes, `block_id_flag` 2 for a commit
 * signature and 1 for an absent one). No CometBFT node runs on this machine, so the
 * tests, the benchmark and `docs/nodeops.md` rehearsals use this.
 *
 * Blocks come every `blockTimeMs` from the moment the chain starts; a node follows the
 * chain unless a fault is injected: `stall` (it stops at its current height), `fork`
 * (from the next height it is on other blocks), `catchUp`, `down` (connections refused
 * with HTTP 503), `peers(n)`, and on the chain `stopSigning(address)` (the validator's
 * precommits are absent from the next height), `jail(address)` and `unbond(address)` (in
 * the Cosmos SDK staking REST answer at `<url>/lcd`). `/metrics` serves the nodes' heights,
 * peers and sync flags in CometBFT's Prometheus metric names, labelled by node, so a
 * Prometheus server can scrape the same nodes.
 */
export interface ScriptedChain {
  readonly chainId: string;
  readonly url: string;
  /** The node's RPC base URL (`<url>/<name>`). */
  nodeUrl(name: string): string;
  addNode(name: string): void;
  height(): number;
  /** Milliseconds until the next block. */
  msToNextBlock(): number;
  /** `/status` requests the nodes answered so far (one per check; the benchmark counts them). */
  statusRequests(): number;
  stall(node: string): void;
  /**
   * The node falls `blocks` behind at once and then follows the chain at its pace (as one
   * restored from a snapshot that replays as fast as blocks come); 0 ends it.
   */
  behind(node: string, blocks: number): void;
  fork(node: string): void;
  catchUp(node: string, on: boolean): void;
  down(node: string, on: boolean): void;
  peers(node: string, n: number): void;
  /** Back in step with the chain: no stall, fork, catching up or outage. */
  heal(node: string): void;
  validators: readonly string[];
  /** The Cosmos SDK REST (LCD) base URL serving the staking module's validators. */
  readonly lcdUrl: string;
  /** The validator is jailed (and so unbonding) in the LCD's answer. */
  jail(address: string, on: boolean): void;
  /** The validator drops out of the active (bonded) set, not jailed. */
  unbond(address: string, on: boolean): void;
  stopSigning(address: string): void;
  resumeSigning(address: string): void;
  close(): Promise<void>;
}

interface NodeView {
  stalledAt?: number;
  behind?: number;
  forkFrom?: number;
  catchingUp: boolean;
  down: boolean;
  peers: number;
}

const hex = (s: string) => createHash('sha256').update(s).digest('hex').toUpperCase();
const hex256 = (b: Buffer) => createHash('sha256').update(b).digest('hex').toUpperCase();

export async function startScriptedChain(
  options: {
    chainId?: string;
    blockTimeMs?: number;
    validators?: number;
    startHeight?: number;
    now?: () => number;
  } = {},
): Promise<ScriptedChain> {
  const chainId = options.chainId ?? 'sim-1';
  const blockTimeMs = options.blockTimeMs ?? 6500;
  const now = options.now ?? Date.now;
  const startHeight = options.startHeight ?? 1000;
  const t0 = now();
  // Each validator's Ed25519 public key (32 bytes) and the consensus address CometBFT
  // derives from it (the first 20 bytes of its SHA-256), so RPC and LCD answers agree.
  const pubkeys = Array.from({ length: options.validators ?? 4 }, (_, i) =>
    createHash('sha256').update(`${chainId}/validator/${i}`).digest(),
  );
  const validators = pubkeys.map((k) => hex256(k).slice(0, 40));
  const jailed = new Set<string>();
  const unbonded = new Set<string>();
  // Heights from which a validator's precommit is absent (and until which, once resumed).
  const notSigning = new Map<string, { from: number; to?: number }[]>();
  const nodes = new Map<string, NodeView>();

  const chainHeight = () => startHeight + Math.floor((now() - t0) / blockTimeMs);
  const blockTime = (h: number) => new Date(t0 + (h - startHeight) * blockTimeMs).toISOString();
  const viewHeight = (v: NodeView) =>
    Math.min(chainHeight() - (v.behind ?? 0), v.stalledAt ?? Number.POSITIVE_INFINITY);
  const blockHash = (v: NodeView | undefined, h: number) =>
    hex(
      `${chainId}/${v?.forkFrom !== undefined && h >= v.forkFrom ? `fork${v.forkFrom}` : 'main'}/${h}`,
    );
  const signed = (address: string, h: number) =>
    !(notSigning.get(address) ?? []).some((s) => h >= s.from && (s.to === undefined || h < s.to));

  const envelope = (result: unknown) => ({ jsonrpc: '2.0', id: -1, result });
  const rpcError = (data: string) => ({
    jsonrpc: '2.0',
    id: -1,
    error: { code: -32603, message: 'Internal error', data },
  });

  const header = (v: NodeView, h: number) => ({
    version: { block: '11', app: '0' },
    chain_id: chainId,
    height: String(h),
    time: blockTime(h),
    last_block_id: { hash: blockHash(v, h - 1), parts: { total: 1, hash: hex(`parts/${h - 1}`) } },
    last_commit_hash: hex(`commit/${h - 1}`),
    data_hash: hex(`data/${h}`),
    validators_hash: hex(`vals/${chainId}`),
    next_validators_hash: hex(`vals/${chainId}`),
    consensus_hash: hex(`cons/${chainId}`),
    app_hash: hex(`app/${h}`),
    last_results_hash: hex(`results/${h}`),
    evidence_hash: hex('evidence'),
    proposer_address: validators[h % validators.length],
  });

  const commit = (v: NodeView, h: number) => ({
    height: String(h),
    round: 0,
    block_id: { hash: blockHash(v, h), parts: { total: 1, hash: hex(`parts/${h}`) } },
    signatures: validators.map((address) =>
      signed(address, h)
        ? {
            block_id_flag: 2,
            validator_address: address,
            timestamp: blockTime(h + 1),
            signature: Buffer.from(hex(`sig/${address}/${h}`), 'hex').toString('base64'),
          }
        : {
            block_id_flag: 1,
            validator_address: '',
            timestamp: '0001-01-01T00:00:00Z',
            signature: null,
          },
    ),
  });

  function answer(
    name: string,
    v: NodeView,
    path: string,
    query: URLSearchParams,
  ): [number, unknown] {
    const top = viewHeight(v);
    const asked = query.get('height');
    const h = asked === null ? top : Number(asked.replace(/"/g, ''));
    if (path !== '/status' && path !== '/net_info' && (!Number.isInteger(h) || h > top || h < 1)) {
      return [
        500,
        rpcError(`height ${h} must be less than or equal to the current blockchain height ${top}`),
      ];
    }
    switch (path) {
      case '/status':
        return [
          200,
          envelope({
            node_info: {
              protocol_version: { p2p: '8', block: '11', app: '0' },
              id: hex(`node/${name}`).slice(0, 40).toLowerCase(),
              listen_addr: 'tcp://0.0.0.0:26656',
              network: chainId,
              version: '0.38.12',
              channels: '40202122233038606100',
              moniker: name,
              other: { tx_index: 'on', rpc_address: 'tcp://0.0.0.0:26657' },
            },
            sync_info: {
              latest_block_hash: blockHash(v, top),
              latest_app_hash: hex(`app/${top}`),
              latest_block_height: String(top),
              latest_block_time: blockTime(top),
              earliest_block_hash: blockHash(v, 1),
              earliest_app_hash: hex('app/1'),
              earliest_block_height: '1',
              earliest_block_time: blockTime(1),
              catching_up: v.catchingUp,
            },
            validator_info: {
              address: hex(`node/${name}`).slice(0, 40),
              pub_key: {
                type: 'tendermint/PubKeyEd25519',
                value: Buffer.from(hex(name), 'hex').toString('base64'),
              },
              voting_power: '0',
            },
          }),
        ];
      case '/net_info':
        return [
          200,
          envelope({
            listening: true,
            listeners: ['Listener(@)'],
            n_peers: String(v.peers),
            peers: Array.from({ length: v.peers }, (_, i) => ({
              node_info: {
                id: hex(`peer/${name}/${i}`).slice(0, 40).toLowerCase(),
                network: chainId,
                moniker: `peer-${i}`,
              },
              is_outbound: i % 2 === 0,
              remote_ip: `10.0.0.${i + 1}`,
            })),
          }),
        ];
      case '/block':
        return [
          200,
          envelope({
            block_id: { hash: blockHash(v, h), parts: { total: 1, hash: hex(`parts/${h}`) } },
            block: {
              header: header(v, h),
              data: { txs: [] },
              evidence: { evidence: [] },
              last_commit: commit(v, h - 1),
            },
          }),
        ];
      case '/commit':
        return [
          200,
          envelope({
            signed_header: { header: header(v, h), commit: commit(v, h) },
            canonical: h < top,
          }),
        ];
      case '/validators':
        return [
          200,
          envelope({
            block_height: String(h),
            validators: validators.map((address, i) => ({
              address,
              pub_key: {
                type: 'tendermint/PubKeyEd25519',
                value: pubkeys[i]?.toString('base64'),
              },
              voting_power: '100',
              proposer_priority: '0',
            })),
            count: String(validators.length),
            total: String(validators.length),
          }),
        ];
      default:
        return [404, rpcError(`unknown method ${path}`)];
    }
  }

  /** Every node's series, or one node's (`/metrics?node=x`: one scrape target per node). */
  function metrics(only?: string | null): string {
    const shown = (name: string, v: NodeView) => !v.down && (!only || name === only);
    const lines = [
      '# HELP cometbft_consensus_height Height of the chain.',
      '# TYPE cometbft_consensus_height gauge',
    ];
    const up: string[] = [];
    for (const [name, v] of nodes) {
      if (!shown(name, v)) continue;
      up.push(`cometbft_consensus_height{chain_id="${chainId}",node="${name}"} ${viewHeight(v)}`);
    }
    lines.push(
      ...up,
      '# HELP cometbft_p2p_peers Number of peers.',
      '# TYPE cometbft_p2p_peers gauge',
    );
    for (const [name, v] of nodes) {
      if (shown(name, v))
        lines.push(`cometbft_p2p_peers{chain_id="${chainId}",node="${name}"} ${v.peers}`);
    }
    lines.push(
      '# HELP cometbft_blocksync_syncing Whether the node is syncing.',
      '# TYPE cometbft_blocksync_syncing gauge',
    );
    for (const [name, v] of nodes) {
      if (shown(name, v))
        lines.push(
          `cometbft_blocksync_syncing{chain_id="${chainId}",node="${name}"} ${v.catchingUp ? 1 : 0}`,
        );
    }
    return `${lines.join('\n')}\n`;
  }

  /**
   * The Cosmos SDK staking REST answer (`GET /cosmos/staking/v1beta1/validators`, shaped
   * as the gRPC gateway of cosmos-sdk v0.47/v0.50 returns it: `consensus_pubkey` as an
   * Any with `@type` and base64 `key`, `status` an enum name, amounts decimal strings),
   * two validators per page so that paging is exercised.
   */
  function lcdValidators(query: URLSearchParams): unknown {
    const perPage = Math.min(2, Number(query.get('pagination.limit') ?? '100'));
    const start = Number(Buffer.from(query.get('pagination.key') ?? '', 'base64').toString() || 0);
    const page = validators.slice(start, start + perPage);
    const next = start + perPage < validators.length ? start + perPage : undefined;
    return {
      validators: page.map((address, k) => {
        const i = start + k;
        return {
          operator_address: `cosmosvaloper1${hex(`valoper/${address}`).slice(0, 38).toLowerCase()}`,
          consensus_pubkey: {
            '@type': '/cosmos.crypto.ed25519.PubKey',
            key: pubkeys[i]?.toString('base64'),
          },
          jailed: jailed.has(address),
          status:
            jailed.has(address) || unbonded.has(address)
              ? 'BOND_STATUS_UNBONDING'
              : 'BOND_STATUS_BONDED',
          tokens: '1000000000',
          delegator_shares: '1000000000.000000000000000000',
          description: {
            moniker: `validator-${i}`,
            identity: '',
            website: '',
            security_contact: '',
            details: '',
          },
          unbonding_height: '0',
          unbonding_time: '1970-01-01T00:00:00Z',
          commission: {
            commission_rates: {
              rate: '0.050000000000000000',
              max_rate: '0.200000000000000000',
              max_change_rate: '0.010000000000000000',
            },
            update_time: '2024-01-01T00:00:00Z',
          },
          min_self_delegation: '1',
        };
      }),
      pagination: {
        next_key: next === undefined ? null : Buffer.from(String(next)).toString('base64'),
        total: '0',
      },
    };
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname === '/lcd/cosmos/staking/v1beta1/validators') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(lcdValidators(u.searchParams)));
      return;
    }
    if (u.pathname === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(metrics(u.searchParams.get('node')));
      return;
    }
    const [, name, ...rest] = u.pathname.split('/');
    const v = nodes.get(name ?? '');
    if (!v) {
      res.writeHead(404).end();
      return;
    }
    if (v.down) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('down');
      return;
    }
    if (rest.length === 1 && rest[0] === 'status') statusCalls++;
    const [status, body] = answer(name ?? '', v, `/${rest.join('/')}`, u.searchParams);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  let statusCalls = 0;
  const server: Server = createServer(handler);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const view = (name: string) => {
    const v = nodes.get(name);
    if (!v) throw new Error(`no node ${name}`);
    return v;
  };

  return {
    chainId,
    url,
    validators,
    lcdUrl: `${url}/lcd`,
    jail(address, on) {
      if (on) jailed.add(address);
      else jailed.delete(address);
    },
    unbond(address, on) {
      if (on) unbonded.add(address);
      else unbonded.delete(address);
    },
    nodeUrl: (name) => `${url}/${name}`,
    addNode(name) {
      nodes.set(name, { catchingUp: false, down: false, peers: 8 });
    },
    height: chainHeight,
    msToNextBlock: () => blockTimeMs - ((now() - t0) % blockTimeMs),
    statusRequests: () => statusCalls,
    stall(name) {
      view(name).stalledAt = chainHeight();
    },
    behind(name, blocks) {
      if (blocks > 0) view(name).behind = blocks;
      else delete view(name).behind;
    },
    fork(name) {
      view(name).forkFrom = chainHeight() + 1;
    },
    catchUp(name, on) {
      view(name).catchingUp = on;
    },
    down(name, on) {
      view(name).down = on;
    },
    peers(name, n) {
      view(name).peers = n;
    },
    heal(name) {
      const v = view(name);
      delete v.stalledAt;
      delete v.behind;
      delete v.forkFrom;
      v.catchingUp = false;
      v.down = false;
    },
    stopSigning(address) {
      const spells = notSigning.get(address) ?? [];
      spells.push({ from: chainHeight() + 1 });
      notSigning.set(address, spells);
    },
    resumeSigning(address) {
      const last = notSigning.get(address)?.at(-1);
      if (last && last.to === undefined) last.to = chainHeight() + 1;
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
    },
  };
}
