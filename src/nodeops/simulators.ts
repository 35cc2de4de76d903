import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Scripted EOS and XRP Ledger chains for rehearsing faults, like the CometBFT one in
 * simulator.ts: an HTTP server on 127.0.0.1 per chain, every node at `<url>/<name>`,
 * answering with bodies shaped as the real node answers (each answer below names its
 * source). No nodeos or rippled runs on this machine; tests, the benchmark and
 * `vaultwire nodes simulate` use these.
 *
 * Faults per node: `stall` (it stops at its current height), `fork` (from the next
 * height it is on other blocks), `down` (HTTP 503), `peers(n)`, `heal`. EOS adds
 * `skip(producer)` (the producer misses its slots: no blocks in them) and
 * `unschedule(producer)` (it leaves the active schedule); XRP adds `state(node, s)` (the
 * `server_state` it reports; `syncing` and `connected` also stop its validated ledger).
 */
export interface ScriptedNodes {
  readonly url: string;
  nodeUrl(name: string): string;
  addNode(name: string): void;
  /** The chain's height (EOS head block, XRP validated ledger). */
  height(): number;
  stall(node: string): void;
  fork(node: string): void;
  down(node: string, on: boolean): void;
  peers(node: string, n: number): void;
  heal(node: string): void;
  close(): Promise<void>;
}

interface NodeView {
  stalledAt?: number;
  forkFrom?: number;
  down: boolean;
  peers: number;
  state: string;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

async function serve(
  handler: (name: string, v: NodeView, path: string, body: unknown) => [number, unknown],
  nodes: Map<string, NodeView>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
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
      let body: unknown;
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        body = text === '' ? undefined : (JSON.parse(text) as unknown);
      } catch {
        res.writeHead(400).end();
        return;
      }
      const [status, answer] = handler(name ?? '', v, `/${rest.join('/')}`, body);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

function faults(nodes: Map<string, NodeView>, height: () => number, initialState: string) {
  const view = (name: string) => {
    const v = nodes.get(name);
    if (!v) throw new Error(`no node ${name}`);
    return v;
  };
  return {
    view,
    addNode: (name: string) => {
      nodes.set(name, { down: false, peers: 8, state: initialState });
    },
    stall: (name: string) => {
      view(name).stalledAt = height();
    },
    fork: (name: string) => {
      view(name).forkFrom = height() + 1;
    },
    down: (name: string, on: boolean) => {
      view(name).down = on;
    },
    peers: (name: string, n: number) => {
      view(name).peers = n;
    },
    heal: (name: string) => {
      const v = view(name);
      delete v.stalledAt;
      delete v.forkFrom;
      v.down = false;
      v.state = initialState;
    },
  };
}

export interface ScriptedEos extends ScriptedNodes {
  readonly chainId: string;
  /** The active schedule, in order. */
  producers(): string[];
  /** The producer misses its slots (no blocks) while on. */
  skip(producer: string, on: boolean): void;
  /** The producer leaves the active schedule (or comes back). */
  unschedule(producer: string, on: boolean): void;
  /** Height of the newest block the producer made, if any. */
  lastProducedBy(producer: string): number | undefined;
}

/** nodeos produces a block every 500 ms; a producer makes 12 in a row per round. */
export async function startScriptedEos(
  options: {
    producers?: string[];
    blockTimeMs?: number;
    startHeight?: number;
    now?: () => number;
  } = {},
): Promise<ScriptedEos> {
  const blockTimeMs = options.blockTimeMs ?? 500;
  const now = options.now ?? Date.now;
  const startHeight = options.startHeight ?? 100_000;
  const all = options.producers ?? ['produceraaa', 'producerbbb', 'producerccc', 'producerddd'];
  const chainId = sha(`eos/${all.join(',')}`);
  const t0 = now();
  const removed = new Set<string>();
  const skipping = new Set<string>();
  // Blocks made so far (index 0 is startHeight); extended lazily as time passes.
  const blocks: { producer: string; slot: number }[] = [{ producer: all[0] ?? '', slot: 0 }];
  let nextSlot = 1;
  const active = () => all.filter((p) => !removed.has(p));
  const advance = () => {
    const upTo = Math.floor((now() - t0) / blockTimeMs);
    for (; nextSlot <= upTo; nextSlot++) {
      const schedule = active();
      const producer = schedule[Math.floor(nextSlot / 12) % schedule.length];
      if (producer !== undefined && !skipping.has(producer))
        blocks.push({ producer, slot: nextSlot });
    }
  };
  const height = () => {
    advance();
    return startHeight + blocks.length - 1;
  };
  const nodes = new Map<string, NodeView>();
  const f = faults(nodes, height, 'running');
  const top = (v: NodeView) => Math.min(height(), v.stalledAt ?? Number.POSITIVE_INFINITY);
  // An EOS block id starts with the block number (4 bytes, big-endian hex).
  const blockId = (v: NodeView, h: number) =>
    h.toString(16).padStart(8, '0') +
    sha(
      `${chainId}/${v.forkFrom !== undefined && h >= v.forkFrom ? `fork${v.forkFrom}` : 'main'}/${h}`,
    ).slice(8);
  const blockAt = (h: number) => blocks[h - startHeight];
  const time = (h: number) =>
    new Date(t0 + (blockAt(h)?.slot ?? 0) * blockTimeMs).toISOString().replace('Z', '');
  const unknownBlock = (what: unknown) => ({
    code: 500,
    message: 'Internal Service Error',
    error: {
      code: 3100002,
      name: 'unknown_block_exception',
      what: 'Unknown block',
      details: [
        {
          message: `Could not find block: ${String(what)}`,
          file: 'chain_plugin.cpp',
          line_number: 2108,
          method: 'get_raw_block',
        },
      ],
    },
  });

  const server = await serve((_name, v, path, body) => {
    const head = top(v);
    switch (path) {
      // GET or POST /v1/chain/get_info (Antelope Leap 5 chain_api_plugin answer).
      case '/v1/chain/get_info': {
        const lib = Math.max(startHeight, head - 325);
        return [
          200,
          {
            server_version: 'd133c641',
            chain_id: chainId,
            head_block_num: head,
            last_irreversible_block_num: lib,
            last_irreversible_block_id: blockId(v, lib),
            head_block_id: blockId(v, head),
            head_block_time: time(head),
            head_block_producer: blockAt(head)?.producer ?? '',
            virtual_block_cpu_limit: 200000000,
            virtual_block_net_limit: 1048576000,
            block_cpu_limit: 200000,
            block_net_limit: 1048576,
            server_version_string: 'v5.0.2',
            fork_db_head_block_num: head,
            fork_db_head_block_id: blockId(v, head),
            server_full_version_string: 'v5.0.2-d133c6413ce8ce2e96096a0513ec25b4a8dbe837',
            total_cpu_weight: '381870000000000',
            total_net_weight: '95860000000000',
            earliest_available_block_num: startHeight,
            last_irreversible_block_time: time(lib),
          },
        ];
      }
      // POST /v1/chain/get_block {"block_num_or_id": n}.
      case '/v1/chain/get_block': {
        const asked = (body as { block_num_or_id?: unknown } | undefined)?.block_num_or_id;
        const h = typeof asked === 'string' ? Number(asked) : asked;
        if (typeof h !== 'number' || !Number.isInteger(h) || h < startHeight || h > head) {
          return [500, unknownBlock(asked)];
        }
        const b = blockAt(h);
        return [
          200,
          {
            timestamp: time(h),
            producer: b?.producer ?? '',
            confirmed: 0,
            previous: blockId(v, h - 1),
            transaction_mroot: '0'.repeat(64),
            action_mroot: sha(`action/${h}`),
            schedule_version: 1 + removed.size,
            new_producers: null,
            producer_signature: `SIG_K1_${sha(`sig/${h}`).slice(0, 40)}`,
            transactions: [],
            id: blockId(v, h),
            block_num: h,
            ref_block_prefix: Number.parseInt(blockId(v, h).slice(16, 24), 16),
          },
        ];
      }
      // POST /v1/chain/get_producer_schedule.
      case '/v1/chain/get_producer_schedule':
        return [
          200,
          {
            active: {
              version: 1 + removed.size,
              producers: active().map((p) => ({
                producer_name: p,
                authority: [
                  0,
                  { threshold: 1, keys: [{ key: `PUB_K1_${sha(p).slice(0, 50)}`, weight: 1 }] },
                ],
              })),
            },
            pending: null,
            proposed: null,
          },
        ];
      // GET /v1/net/connections (net_api_plugin): one entry per peer.
      case '/v1/net/connections':
        return [
          200,
          Array.from({ length: v.peers }, (_, i) => ({
            peer: `peer-${i}.example:9876`,
            remote_ip: `10.0.1.${i + 1}`,
            connecting: false,
            syncing: false,
            is_bp_peer: false,
            last_handshake: { network_version: 1212, chain_id: chainId, head_num: head },
          })),
        ];
      default:
        return [
          404,
          {
            code: 404,
            message: 'Not Found',
            error: { code: 0, name: 'exception', what: 'unknown', details: [] },
          },
        ];
    }
  }, nodes);

  return {
    chainId,
    url: server.url,
    nodeUrl: (name) => `${server.url}/${name}`,
    addNode: f.addNode,
    height,
    stall: f.stall,
    fork: f.fork,
    down: f.down,
    peers: f.peers,
    heal: f.heal,
    producers: active,
    skip(producer, on) {
      advance();
      if (on) skipping.add(producer);
      else skipping.delete(producer);
    },
    unschedule(producer, on) {
      advance();
      if (on) removed.add(producer);
      else removed.delete(producer);
    },
    lastProducedBy(producer) {
      advance();
      for (let i = blocks.length - 1; i >= 0; i--)
        if (blocks[i]?.producer === producer) return startHeight + i;
      return undefined;
    },
    close: () => server.close(),
  };
}

export interface ScriptedXrpl extends ScriptedNodes {
  /** The `server_state` the node reports; out-of-step states also stop its validated ledger. */
  state(node: string, serverState: string): void;
}

const XRP_IN_STEP = new Set(['full', 'proposing', 'validating']);

/** rippled: a ledger validated about every 3.5 s (`closeMs`). */
export async function startScriptedXrpl(
  options: { closeMs?: number; startLedger?: number; now?: () => number } = {},
): Promise<ScriptedXrpl> {
  const closeMs = options.closeMs ?? 3500;
  const now = options.now ?? Date.now;
  const startLedger = options.startLedger ?? 90_000_000;
  const t0 = now();
  const height = () => startLedger + Math.floor((now() - t0) / closeMs);
  const nodes = new Map<string, NodeView>();
  const f = faults(nodes, height, 'full');
  const top = (v: NodeView) => Math.min(height(), v.stalledAt ?? Number.POSITIVE_INFINITY);
  const hash = (v: NodeView, h: number) =>
    sha(
      `xrpl/${v.forkFrom !== undefined && h >= v.forkFrom ? `fork${v.forkFrom}` : 'main'}/${h}`,
    ).toUpperCase();
  // Ripple epoch: seconds since 2000-01-01T00:00:00Z.
  const rippleTime = (h: number) =>
    Math.floor((t0 + (h - startLedger) * closeMs) / 1000) - 946_684_800;

  const server = await serve((name, v, path, body) => {
    if (path !== '/') return [404, {}];
    const req = body as { method?: unknown; params?: Record<string, unknown>[] } | undefined;
    const params = req?.params?.[0] ?? {};
    const seq = top(v);
    switch (req?.method) {
      // server_info (xrpl.org/docs/references/http-websocket-apis/public-api-methods/server-info-methods/server_info).
      case 'server_info':
        return [
          200,
          {
            result: {
              info: {
                build_version: '2.2.3',
                complete_ledgers: `${startLedger - 1000}-${seq}`,
                hostid: name.toUpperCase(),
                initial_sync_duration_us: '246356000',
                io_latency_ms: 1,
                jq_trans_overflow: '0',
                last_close: { converge_time_s: 3, proposers: 35 },
                load_factor: 1,
                network_id: 0,
                peer_disconnects: '0',
                peer_disconnects_resources: '0',
                peers: v.peers,
                pubkey_node: `n9${sha(`node/${name}`).slice(0, 50)}`,
                server_state: v.state,
                server_state_duration_us: '1234567',
                time: new Date(now()).toUTCString(),
                uptime: Math.floor((now() - t0) / 1000),
                ...(XRP_IN_STEP.has(v.state) || v.stalledAt !== undefined
                  ? {
                      validated_ledger: {
                        // Seconds since this ledger closed: grows while the node is stalled.
                        age: Math.floor((now() - t0 - (seq - startLedger) * closeMs) / 1000),
                        base_fee_xrp: 0.00001,
                        hash: hash(v, seq),
                        reserve_base_xrp: 1,
                        reserve_inc_xrp: 0.2,
                        seq,
                      },
                    }
                  : {}),
                validation_quorum: 28,
              },
              status: 'success',
            },
          },
        ];
      // ledger (…/ledger-methods/ledger).
      case 'ledger': {
        const asked = params['ledger_index'];
        const h = asked === 'validated' ? seq : Number(asked);
        if (!Number.isInteger(h) || h > seq || h < startLedger - 1000) {
          return [
            200,
            {
              result: {
                error: 'lgrNotFound',
                error_code: 21,
                error_message: 'ledgerNotFound',
                request: { command: 'ledger', ...params },
                status: 'error',
              },
            },
          ];
        }
        const ledgerHash = hash(v, h);
        return [
          200,
          {
            result: {
              ledger: {
                account_hash: sha(`accounts/${h}`).toUpperCase(),
                close_flags: 0,
                close_time: rippleTime(h),
                close_time_human: new Date((rippleTime(h) + 946_684_800) * 1000).toUTCString(),
                close_time_iso: new Date((rippleTime(h) + 946_684_800) * 1000).toISOString(),
                close_time_resolution: 10,
                closed: true,
                ledger_hash: ledgerHash,
                ledger_index: String(h),
                parent_close_time: rippleTime(h - 1),
                parent_hash: hash(v, h - 1),
                total_coins: '99986000000000000',
                transaction_hash: sha(`txs/${h}`).toUpperCase(),
              },
              ledger_hash: ledgerHash,
              ledger_index: h,
              validated: true,
              status: 'success',
            },
          },
        ];
      }
      default:
        return [
          200,
          {
            result: {
              error: 'unknownCmd',
              error_code: 32,
              error_message: 'Unknown method.',
              status: 'error',
            },
          },
        ];
    }
  }, nodes);

  return {
    url: server.url,
    nodeUrl: (name) => `${server.url}/${name}`,
    addNode: f.addNode,
    height,
    stall: f.stall,
    fork: f.fork,
    down: f.down,
    peers: f.peers,
    heal: f.heal,
    state(name, s) {
      f.view(name).state = s;
    },
    close: () => server.close(),
  };
}
