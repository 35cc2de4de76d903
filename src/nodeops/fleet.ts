import type { AuditLog } from '../platform/audit/audit.js';
import type { SecretBox } from '../platform/crypto/secret-box.js';
import type { Db, Queryable } from '../platform/db/db.js';
import { fail, isFailure, type Failure } from '../platform/failure.js';
import { newId } from '../platform/ids.js';
import { parseEndpointUrl, type SsrfGuard } from '../platform/net/ssrf.js';
import type { Outbox } from '../platform/outbox/outbox.js';
import { announceBans } from './bans.js';
import { NodeopsError } from './errors.js';
import {
  ThresholdsSchema,
  thresholdsOf,
  type ChannelKind,
  type ChannelSettings,
  type Family,
  type NodeRole,
  type NodeopsSettings,
  type Severity,
  type Thresholds,
} from './settings.js';

/** The fleet registry: chains with their references, nodes, alert channels, and bans. */

export interface Chain {
  key: string;
  family: Family;
  thresholds: Thresholds;
  references: string[];
  /** Cosmos SDK REST base URL (validators' active set and jail state); CometBFT only. */
  lcdUrl: string | null;
  /** GitHub-releases-shaped feed the nodes' versions are compared with. */
  releaseFeed: string | null;
  source: 'config' | 'api';
  createdAt: Date;
  updatedAt: Date;
}

/** The last poll of a node, as the status view shows it. */
export interface NodeState {
  height: number | null;
  lag: number | null;
  peers: number | null;
  version: string | null;
  /** `ok`, or the firing conditions (`stalled`, `lagging`, …) joined by commas. */
  state: string;
  checked_at: string;
}

export interface FleetNode {
  id: string;
  name: string;
  chain: string;
  region: string;
  role: NodeRole;
  url: string;
  validatorAddress: string | null;
  /** EOS: the producer account whose rounds are counted. */
  producerName: string | null;
  source: 'config' | 'api';
  outSince: Date | null;
  inSince: Date | null;
  bannedAt: Date | null;
  banReason: string | null;
  bannedBy: string | null;
  lastState: NodeState | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Channel {
  id: string;
  name: string;
  kind: ChannelKind;
  /** What is safe to show (chat id, recipients, API base); never a secret. */
  settings: Record<string, unknown>;
  minSeverity: Severity;
  chains: string[];
  source: 'config' | 'api';
  createdAt: Date;
}

/** Who did it, as the audit log records it. */
export type Actor =
  { type: 'user'; id: string; credentialId?: string | undefined } | { type: 'system'; id: string };

export interface NewChain {
  key: string;
  family: Family;
  references: string[];
  lcdUrl?: string | undefined;
  releaseFeed?: string | undefined;
  thresholds: Partial<Thresholds>;
}

export interface NewNode {
  name: string;
  chain: string;
  region: string;
  role: NodeRole;
  url: string;
  validatorAddress?: string | undefined;
  producerName?: string | undefined;
}

export type UrlRefusal =
  NodeopsError.UrlInvalid | NodeopsError.UrlForbiddenAddress | NodeopsError.UrlUnresolvable;

export interface Fleet {
  /** Writes the `nodeops:` section of the configuration into the registry (at start). */
  syncConfig(settings: NodeopsSettings): Promise<void>;
  listChains(): Promise<Chain[]>;
  getChain(key: string): Promise<Chain | Failure<NodeopsError.ChainNotFound>>;
  createChain(
    input: NewChain,
    actor: Actor,
  ): Promise<Chain | Failure<NodeopsError.ChainExists | NodeopsError.FamilyMismatch | UrlRefusal>>;
  removeChain(
    key: string,
    actor: Actor,
  ): Promise<true | Failure<NodeopsError.ChainNotFound | NodeopsError.ChainInUse>>;
  listNodes(filter?: {
    chain?: string | undefined;
    banned?: boolean | undefined;
  }): Promise<FleetNode[]>;
  getNode(idOrName: string): Promise<FleetNode | Failure<NodeopsError.NodeNotFound>>;
  createNode(
    input: NewNode,
    actor: Actor,
  ): Promise<
    | FleetNode
    | Failure<
        | NodeopsError.ChainNotFound
        | NodeopsError.NodeNameTaken
        | NodeopsError.ValidatorNeedsAddress
        | NodeopsError.FamilyMismatch
        | UrlRefusal
      >
  >;
  removeNode(idOrName: string, actor: Actor): Promise<true | Failure<NodeopsError.NodeNotFound>>;
  ban(
    idOrName: string,
    reason: string,
    actor: Actor,
  ): Promise<FleetNode | Failure<NodeopsError.NodeNotFound | NodeopsError.NodeAlreadyBanned>>;
  unban(
    idOrName: string,
    actor: Actor,
  ): Promise<FleetNode | Failure<NodeopsError.NodeNotFound | NodeopsError.NodeNotBanned>>;
  /** True when a node with this URL is banned (for pools that must skip it). */
  isBanned(url: string): Promise<boolean>;
  listChannels(): Promise<Channel[]>;
  createChannel(
    input: ChannelSettings,
    actor: Actor,
  ): Promise<Channel | Failure<NodeopsError.ChannelNameTaken | UrlRefusal>>;
  removeChannel(id: string, actor: Actor): Promise<true | Failure<NodeopsError.ChannelNotFound>>;
  /** A channel's secret (bot token, webhook URL, routing key), unsealed for sending only. */
  channelSecret(id: string, sealed: string): Promise<string>;
}

export interface FleetDeps {
  db: Db;
  audit: AuditLog;
  outbox: Outbox;
  secretBox: SecretBox;
  guard: SsrfGuard;
  now: () => number;
}

type Row = Record<string, unknown>;

export function chainFromRow(r: Row): Chain {
  return {
    key: r['key'] as string,
    family: r['family'] as Family,
    thresholds: ThresholdsSchema.parse(r['thresholds']),
    references: r['refs'] as string[],
    lcdUrl: (r['lcd_url'] as string | null | undefined) ?? null,
    releaseFeed: (r['release_feed'] as string | null | undefined) ?? null,
    source: r['source'] as 'config' | 'api',
    createdAt: new Date(r['created_at'] as string),
    updatedAt: new Date(r['updated_at'] as string),
  };
}

const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));

export function nodeFromRow(r: Row): FleetNode {
  return {
    id: r['id'] as string,
    name: r['name'] as string,
    chain: r['chain_key'] as string,
    region: r['region'] as string,
    role: r['role'] as NodeRole,
    url: r['url'] as string,
    validatorAddress: (r['validator_address'] as string | null) ?? null,
    producerName: (r['producer_name'] as string | null | undefined) ?? null,
    source: r['source'] as 'config' | 'api',
    outSince: date(r['out_since']),
    inSince: date(r['in_since']),
    bannedAt: date(r['banned_at']),
    banReason: (r['ban_reason'] as string | null) ?? null,
    bannedBy: (r['banned_by'] as string | null) ?? null,
    lastState: (r['last_state'] as NodeState | null) ?? null,
    createdAt: new Date(r['created_at'] as string),
    updatedAt: new Date(r['updated_at'] as string),
  };
}

function channelFromRow(r: Row): Channel {
  return {
    id: r['id'] as string,
    name: r['name'] as string,
    kind: r['kind'] as ChannelKind,
    settings: r['settings'] as Record<string, unknown>,
    minSeverity: r['min_severity'] as Severity,
    chains: r['chains'] as string[],
    source: r['source'] as 'config' | 'api',
    createdAt: new Date(r['created_at'] as string),
  };
}

/** A channel's settings split into what may be shown and the one secret to seal. */
export function splitChannel(c: ChannelSettings): {
  shown: Record<string, unknown>;
  secret: string | undefined;
  urls: string[];
} {
  switch (c.kind) {
    case 'telegram':
      return {
        shown: { chat_id: c.chatId, api_url: c.apiUrl },
        secret: c.botToken,
        urls: [c.apiUrl],
      };
    case 'slack':
      return {
        shown: { webhook_host: new URL(c.webhookUrl).host },
        secret: c.webhookUrl,
        urls: [c.webhookUrl],
      };
    case 'email':
      return { shown: { to: c.to }, secret: undefined, urls: [] };
    case 'pagerduty':
      return { shown: { events_url: c.eventsUrl }, secret: c.routingKey, urls: [c.eventsUrl] };
  }
}

export const secretContext = (channelId: string) => `nodeops.channel:${channelId}`;

export function createFleet(deps: FleetDeps): Fleet {
  const { db, audit, outbox } = deps;
  const stamp = () => new Date(deps.now());

  /** Static checks, then every address the host resolves to through the SSRF guard. */
  async function checkUrl(raw: string): Promise<true | Failure<UrlRefusal>> {
    const url = parseEndpointUrl(raw, { allowHttp: true });
    if (isFailure(url)) return fail(NodeopsError.UrlInvalid, { param: 'url' });
    const verdict = await deps.guard.check(url.hostname);
    if (!verdict.ok) {
      return verdict.reason === 'unresolvable'
        ? fail(NodeopsError.UrlUnresolvable)
        : fail(NodeopsError.UrlForbiddenAddress, {
            message: `${url.host} resolves to a ${verdict.reason} address; allow its range in nodeops.ssrfAllow to watch it`,
          });
    }
    return true;
  }

  async function findNode(
    q: Queryable,
    idOrName: string,
    lock = false,
  ): Promise<FleetNode | undefined> {
    const { rows } = await q.query(
      `SELECT * FROM nodeops_nodes WHERE id = $1 OR name = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [idOrName],
    );
    return rows[0] ? nodeFromRow(rows[0]) : undefined;
  }

  const auditOf = (actor: Actor) =>
    actor.type === 'user'
      ? { actorType: 'user' as const, actorId: actor.id, credentialId: actor.credentialId }
      : { actorType: 'system' as const, actorId: actor.id };

  const fleet: Fleet = {
    async syncConfig(settings) {
      const sealed = new Map<string, { id: string; secret: string | undefined }>();
      const existing = await db.query<{ id: string; name: string }>(
        'SELECT id, name FROM nodeops_channels',
      );
      const idByName = new Map(existing.rows.map((r) => [r.name, r.id]));
      for (const c of settings.channels) {
        const id = idByName.get(c.name) ?? newId('nch');
        const { secret } = splitChannel(c);
        sealed.set(c.name, {
          id,
          secret:
            secret === undefined
              ? undefined
              : await deps.secretBox.encrypt(secret, secretContext(id)),
        });
      }
      await db.transaction(async (tx) => {
        for (const c of settings.chains) {
          await tx.query(
            `INSERT INTO nodeops_chains (key, family, thresholds, refs, lcd_url, release_feed, source)
             VALUES ($1, $2, $3, $4, $5, $6, 'config')
             ON CONFLICT (key) DO UPDATE SET family = EXCLUDED.family, thresholds = EXCLUDED.thresholds,
               refs = EXCLUDED.refs, lcd_url = EXCLUDED.lcd_url, release_feed = EXCLUDED.release_feed,
               source = 'config', updated_at = now()`,
            [
              c.key,
              c.family,
              JSON.stringify(thresholdsOf(c)),
              c.references,
              c.lcdUrl ?? null,
              c.releaseFeed ?? null,
            ],
          );
        }
        for (const n of settings.nodes) {
          await tx.query(
            `INSERT INTO nodeops_nodes (id, name, chain_key, region, role, url, validator_address, producer_name, source)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'config')
             ON CONFLICT (name) DO UPDATE SET chain_key = EXCLUDED.chain_key, region = EXCLUDED.region,
               role = EXCLUDED.role, url = EXCLUDED.url, validator_address = EXCLUDED.validator_address,
               producer_name = EXCLUDED.producer_name, source = 'config', updated_at = now()`,
            [
              newId('nod'),
              n.name,
              n.chain,
              n.region,
              n.role,
              n.url,
              n.validatorAddress?.toUpperCase() ?? null,
              n.producerName ?? null,
            ],
          );
        }
        await tx.query(
          `DELETE FROM nodeops_nodes WHERE source = 'config' AND NOT (name = ANY($1))`,
          [settings.nodes.map((n) => n.name)],
        );
        // A node's URL may have changed or a banned node gone: pools read the list again.
        await announceBans(tx, '');
        for (const c of settings.channels) {
          const { shown } = splitChannel(c);
          const s = sealed.get(c.name);
          await tx.query(
            `INSERT INTO nodeops_channels (id, name, kind, settings, secret_sealed, min_severity, chains, source)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'config')
             ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, settings = EXCLUDED.settings,
               secret_sealed = EXCLUDED.secret_sealed, min_severity = EXCLUDED.min_severity,
               chains = EXCLUDED.chains, source = 'config', updated_at = now()`,
            [
              s?.id,
              c.name,
              c.kind,
              JSON.stringify(shown),
              s?.secret ?? null,
              c.minSeverity,
              c.chains,
            ],
          );
        }
        await tx.query(
          `DELETE FROM nodeops_channels WHERE source = 'config' AND NOT (name = ANY($1))`,
          [settings.channels.map((c) => c.name)],
        );
      });
    },

    async listChains() {
      const { rows } = await db.query('SELECT * FROM nodeops_chains ORDER BY key');
      return rows.map(chainFromRow);
    },

    async getChain(key) {
      const { rows } = await db.query('SELECT * FROM nodeops_chains WHERE key = $1', [key]);
      return rows[0] ? chainFromRow(rows[0]) : fail(NodeopsError.ChainNotFound);
    },

    async createChain(input, actor) {
      if (input.lcdUrl !== undefined && input.family !== 'cometbft') {
        return fail(NodeopsError.FamilyMismatch, { param: 'lcd_url' });
      }
      const urls: [string, string][] = [
        ...input.references.map((r, i): [string, string] => [r, `references.${i}`]),
        ...(input.lcdUrl === undefined ? [] : [[input.lcdUrl, 'lcd_url'] as [string, string]]),
        ...(input.releaseFeed === undefined
          ? []
          : [[input.releaseFeed, 'release_feed'] as [string, string]]),
      ];
      for (const [u, param] of urls) {
        const ok = await checkUrl(u);
        if (isFailure(ok)) return fail(ok.code, { message: ok.message, param });
      }
      const thresholds = ThresholdsSchema.parse(input.thresholds);
      return db.transaction(async (tx) => {
        const { rows } = await tx.query(
          `INSERT INTO nodeops_chains (key, family, thresholds, refs, lcd_url, release_feed, source)
           VALUES ($1, $2, $3, $4, $5, $6, 'api') ON CONFLICT (key) DO NOTHING RETURNING *`,
          [
            input.key,
            input.family,
            JSON.stringify(thresholds),
            input.references,
            input.lcdUrl ?? null,
            input.releaseFeed ?? null,
          ],
        );
        if (!rows[0]) return fail(NodeopsError.ChainExists);
        await audit.record({
          action: 'nodeops_chain.created',
          ...auditOf(actor),
          targetType: 'nodeops_chain',
          targetId: input.key,
          data: { family: input.family, references: input.references.length },
        });
        return chainFromRow(rows[0]);
      });
    },

    async removeChain(key, actor) {
      return db.transaction(async (tx) => {
        const used = await tx.query('SELECT 1 FROM nodeops_nodes WHERE chain_key = $1 LIMIT 1', [
          key,
        ]);
        if (used.rows.length > 0) return fail(NodeopsError.ChainInUse);
        const { rowCount } = await tx.query('DELETE FROM nodeops_chains WHERE key = $1', [key]);
        if (rowCount === 0) return fail(NodeopsError.ChainNotFound);
        await audit.record({
          action: 'nodeops_chain.removed',
          ...auditOf(actor),
          targetType: 'nodeops_chain',
          targetId: key,
        });
        return true as const;
      });
    },

    async listNodes(filter = {}) {
      const { rows } = await db.query(
        `SELECT * FROM nodeops_nodes
         WHERE ($1::text IS NULL OR chain_key = $1)
           AND ($2::boolean IS NULL OR (banned_at IS NOT NULL) = $2)
         ORDER BY chain_key, name`,
        [filter.chain ?? null, filter.banned ?? null],
      );
      return rows.map(nodeFromRow);
    },

    async getNode(idOrName) {
      return (await findNode(db, idOrName)) ?? fail(NodeopsError.NodeNotFound);
    },

    async createNode(input, actor) {
      if (input.validatorAddress !== undefined && input.role !== 'validator') {
        return fail(NodeopsError.ValidatorNeedsAddress);
      }
      if (input.producerName !== undefined && input.role !== 'validator') {
        return fail(NodeopsError.ValidatorNeedsAddress, {
          message: 'Only a validator (producer) node takes a producer_name',
          param: 'producer_name',
        });
      }
      const chain = await fleet.getChain(input.chain);
      if (isFailure(chain)) return chain;
      if (input.validatorAddress !== undefined && chain.family !== 'cometbft') {
        return fail(NodeopsError.FamilyMismatch, { param: 'validator_address' });
      }
      if (input.producerName !== undefined && chain.family !== 'eos') {
        return fail(NodeopsError.FamilyMismatch, { param: 'producer_name' });
      }
      const ok = await checkUrl(input.url);
      if (isFailure(ok)) return ok;
      return db.transaction(async (tx) => {
        const { rows } = await tx.query(
          `INSERT INTO nodeops_nodes (id, name, chain_key, region, role, url, validator_address, producer_name, source)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'api') ON CONFLICT (name) DO NOTHING RETURNING *`,
          [
            newId('nod'),
            input.name,
            input.chain,
            input.region,
            input.role,
            input.url,
            input.validatorAddress?.toUpperCase() ?? null,
            input.producerName ?? null,
          ],
        );
        if (!rows[0]) return fail(NodeopsError.NodeNameTaken);
        const node = nodeFromRow(rows[0]);
        await audit.record({
          action: 'nodeops_node.created',
          ...auditOf(actor),
          targetType: 'nodeops_node',
          targetId: node.id,
          data: { name: node.name, chain: node.chain, role: node.role, region: node.region },
        });
        return node;
      });
    },

    async removeNode(idOrName, actor) {
      return db.transaction(async (tx) => {
        const { rows } = await tx.query(
          'DELETE FROM nodeops_nodes WHERE id = $1 OR name = $1 RETURNING id, name',
          [idOrName],
        );
        const row = rows[0];
        if (!row) return fail(NodeopsError.NodeNotFound);
        await announceBans(tx, row['id'] as string);
        await audit.record({
          action: 'nodeops_node.removed',
          ...auditOf(actor),
          targetType: 'nodeops_node',
          targetId: row['id'] as string,
          data: { name: row['name'] as string },
        });
        return true as const;
      });
    },

    async ban(idOrName, reason, actor) {
      return db.transaction(async (tx) => {
        const node = await findNode(tx, idOrName, true);
        if (!node) return fail(NodeopsError.NodeNotFound);
        if (node.bannedAt) return fail(NodeopsError.NodeAlreadyBanned);
        const by = actor.type === 'user' ? actor.id : actor.id;
        return banNode(tx, { node, reason, bannedBy: by, at: stamp(), actor });
      });
    },

    async unban(idOrName, actor) {
      return db.transaction(async (tx) => {
        const node = await findNode(tx, idOrName, true);
        if (!node) return fail(NodeopsError.NodeNotFound);
        if (!node.bannedAt) return fail(NodeopsError.NodeNotBanned);
        return unbanNode(tx, { node, at: stamp(), actor });
      });
    },

    async isBanned(url) {
      const { rows } = await db.query(
        'SELECT 1 FROM nodeops_nodes WHERE url = $1 AND banned_at IS NOT NULL LIMIT 1',
        [url],
      );
      return rows.length > 0;
    },

    async listChannels() {
      const { rows } = await db.query('SELECT * FROM nodeops_channels ORDER BY name');
      return rows.map(channelFromRow);
    },

    async createChannel(input, actor) {
      const { shown, secret, urls } = splitChannel(input);
      for (const u of urls) {
        const ok = await checkUrl(u);
        if (isFailure(ok)) return ok;
      }
      const id = newId('nch');
      const sealed =
        secret === undefined ? null : await deps.secretBox.encrypt(secret, secretContext(id));
      return db.transaction(async (tx) => {
        const { rows } = await tx.query(
          `INSERT INTO nodeops_channels (id, name, kind, settings, secret_sealed, min_severity, chains, source)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 'api') ON CONFLICT (name) DO NOTHING RETURNING *`,
          [
            id,
            input.name,
            input.kind,
            JSON.stringify(shown),
            sealed,
            input.minSeverity,
            input.chains,
          ],
        );
        if (!rows[0]) return fail(NodeopsError.ChannelNameTaken);
        await audit.record({
          action: 'nodeops_channel.created',
          ...auditOf(actor),
          targetType: 'nodeops_channel',
          targetId: id,
          data: { name: input.name, kind: input.kind },
        });
        return channelFromRow(rows[0]);
      });
    },

    async removeChannel(id, actor) {
      return db.transaction(async (tx) => {
        const { rowCount } = await tx.query(
          'DELETE FROM nodeops_channels WHERE id = $1 OR name = $1',
          [id],
        );
        if (rowCount === 0) return fail(NodeopsError.ChannelNotFound);
        await audit.record({
          action: 'nodeops_channel.removed',
          ...auditOf(actor),
          targetType: 'nodeops_channel',
          targetId: id,
        });
        return true as const;
      });
    },

    async channelSecret(id, sealed) {
      return (await deps.secretBox.decrypt(sealed, secretContext(id))).toString('utf8');
    },
  };

  async function banNode(
    tx: Queryable,
    p: { node: FleetNode; reason: string; bannedBy: string; at: Date; actor: Actor },
  ): Promise<FleetNode> {
    const { rows } = await tx.query(
      `UPDATE nodeops_nodes SET banned_at = $2, ban_reason = $3, banned_by = $4, in_since = NULL,
         updated_at = now() WHERE id = $1 RETURNING *`,
      [p.node.id, p.at, p.reason, p.bannedBy],
    );
    const node = nodeFromRow(rows[0] as Row);
    await announceBans(tx, node.id);
    await outbox.publish({
      type: 'nodeops.node.banned',
      aggregateId: node.id,
      payload: {
        node_id: node.id,
        node: node.name,
        chain: node.chain,
        region: node.region,
        role: node.role,
        reason: p.reason,
        banned_by: p.bannedBy,
        banned_at: p.at.toISOString(),
      },
    });
    await audit.record({
      action: 'nodeops_node.banned',
      ...auditOf(p.actor),
      targetType: 'nodeops_node',
      targetId: node.id,
      data: { name: node.name, reason: p.reason },
    });
    return node;
  }

  async function unbanNode(
    tx: Queryable,
    p: { node: FleetNode; at: Date; actor: Actor },
  ): Promise<FleetNode> {
    const { rows } = await tx.query(
      `UPDATE nodeops_nodes SET banned_at = NULL, ban_reason = NULL, banned_by = NULL, in_since = NULL,
         updated_at = now() WHERE id = $1 RETURNING *`,
      [p.node.id],
    );
    const node = nodeFromRow(rows[0] as Row);
    await announceBans(tx, node.id);
    await outbox.publish({
      type: 'nodeops.node.unbanned',
      aggregateId: node.id,
      payload: {
        node_id: node.id,
        node: node.name,
        chain: node.chain,
        region: node.region,
        role: node.role,
        unbanned_by: p.actor.id,
        unbanned_at: p.at.toISOString(),
      },
    });
    await audit.record({
      action: 'nodeops_node.unbanned',
      ...auditOf(p.actor),
      targetType: 'nodeops_node',
      targetId: node.id,
      data: { name: node.name },
    });
    return node;
  }

  return Object.assign(fleet, { banNode, unbanNode });
}

/** The fleet with the ban writes the monitor uses inside its own transactions. */
export type FleetInternal = ReturnType<typeof createFleet> & {
  banNode(
    tx: Queryable,
    p: { node: FleetNode; reason: string; bannedBy: string; at: Date; actor: Actor },
  ): Promise<FleetNode>;
  unbanNode(tx: Queryable, p: { node: FleetNode; at: Date; actor: Actor }): Promise<FleetNode>;
};
