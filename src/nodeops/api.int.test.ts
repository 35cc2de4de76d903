import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { isFailure } from '../platform/failure.js';
import {
  runAlertsAck,
  runAlertsList,
  runAlertsSilence,
  runNodesBan,
  runNodesStatus,
  runNodesUnban,
} from './cli.js';

/**
 * The fleet API: operators register chains, nodes and channels; bad input (unknown
 * family, malformed or private URLs without the allowlist, absurd thresholds) is a typed
 * 4xx that writes nothing; secrets are never shown; customers may not touch the fleet.
 */
const PW = 'correct horse battery staple';
let t: TestApp;
let operator: string;
let customer: string;

async function user(email: string, role?: 'operator') {
  const r = await t.request('POST', '/v1/users', { body: { email, password: PW } });
  expect(r.status, r.text).toBe(201);
  if (role) await t.vw.identity.changeRole(r.body.id, role, { type: 'system', id: 'test' });
  const s = await t.request('POST', '/v1/sessions', { body: { email, password: PW } });
  return s.body.token as string;
}

async function counts() {
  const { rows } = await t.vw.db.query<{ c: number; n: number; ch: number; a: number }>(
    `SELECT (SELECT count(*)::int FROM nodeops_chains) AS c, (SELECT count(*)::int FROM nodeops_nodes) AS n,
            (SELECT count(*)::int FROM nodeops_channels) AS ch,
            (SELECT count(*)::int FROM audit_events WHERE action LIKE 'nodeops_%') AS a`,
  );
  return rows[0];
}

beforeAll(async () => {
  // 127.0.0.1 is allowed, 10.0.0.0/8 is not.
  t = await createTestApp({ VW_NODEOPS: JSON.stringify({ ssrfAllow: ['127.0.0.0/8'] }) });
  operator = await user('op@example.com', 'operator');
  customer = await user('c@example.com');
});

afterAll(async () => {
  await t.close();
});

describe('nodeops fleet API', () => {
  it('registers a chain, a node and a channel; the channel secret is never shown', async () => {
    const c = await t.request('POST', '/v1/nodeops/chains', {
      token: operator,
      body: {
        key: 'eth',
        family: 'evm',
        references: ['http://127.0.0.1:8545'],
        lag_blocks: 5,
        block_time_seconds: 12,
      },
    });
    expect(c.status, c.text).toBe(201);
    expect(c.body).toMatchObject({
      key: 'eth',
      family: 'evm',
      thresholds: { lag_blocks: 5, block_time_seconds: 12, min_peers: 2 },
    });
    const n = await t.request('POST', '/v1/nodeops/nodes', {
      token: operator,
      body: {
        name: 'eth-rpc-eu',
        chain: 'eth',
        region: 'eu',
        role: 'rpc',
        url: 'http://127.0.0.1:8546',
      },
    });
    expect(n.status, n.text).toBe(201);
    expect(n.body).toMatchObject({
      object: 'nodeops_node',
      state: 'unknown',
      banned: false,
      last_alert: null,
    });
    const ch = await t.request('POST', '/v1/nodeops/channels', {
      token: operator,
      body: {
        name: 'tg',
        kind: 'telegram',
        bot_token: '123456:ABCDEFGHIJKLMNOP',
        chat_id: '-100123',
        api_url: 'http://127.0.0.1:9',
      },
    });
    expect(ch.status, ch.text).toBe(201);
    expect(ch.text).not.toContain('ABCDEFGHIJKLMNOP');
    const { rows } = await t.vw.db.query<{ secret_sealed: string }>(
      `SELECT secret_sealed FROM nodeops_channels`,
    );
    expect(rows[0]?.secret_sealed).not.toContain('ABCDEFGHIJKLMNOP');
    const list = await t.request('GET', '/v1/nodeops/channels', { token: operator });
    expect(list.text).not.toContain('ABCDEFGHIJKLMNOP');

    const fleet = await t.request('GET', '/v1/nodeops/nodes', { token: operator });
    expect(fleet.body.data.map((x: { name: string }) => x.name)).toEqual(['eth-rpc-eu']);
  });

  it('refuses bad input with a typed 4xx and writes nothing', async () => {
    const before = await counts();
    const cases: [string, unknown, number, string][] = [
      ['/v1/nodeops/chains', { key: 'sol', family: 'solana' }, 400, 'parameter_invalid'],
      [
        '/v1/nodeops/chains',
        { key: 'x', family: 'evm', references: ['not a url'] },
        400,
        'url_invalid',
      ],
      [
        '/v1/nodeops/chains',
        { key: 'x', family: 'evm', references: ['http://10.1.2.3:8545'] },
        400,
        'url_forbidden_address',
      ],
      [
        '/v1/nodeops/chains',
        { key: 'x', family: 'evm', lag_blocks: 1e12 },
        400,
        'parameter_invalid',
      ],
      [
        '/v1/nodeops/chains',
        { key: 'x', family: 'evm', block_time_seconds: 0 },
        400,
        'parameter_invalid',
      ],
      ['/v1/nodeops/chains', { key: 'eth', family: 'evm' }, 409, 'chain_exists'],
      [
        '/v1/nodeops/nodes',
        { name: 'a', chain: 'nope', region: 'eu', role: 'rpc', url: 'http://127.0.0.1:1' },
        404,
        'chain_not_found',
      ],
      [
        '/v1/nodeops/nodes',
        { name: 'a', chain: 'eth', region: 'eu', role: 'rpc', url: 'http://169.254.169.254/' },
        400,
        'url_forbidden_address',
      ],
      [
        '/v1/nodeops/nodes',
        { name: 'a', chain: 'eth', region: 'eu', role: 'rpc', url: 'ftp://127.0.0.1/' },
        400,
        'url_invalid',
      ],
      [
        '/v1/nodeops/nodes',
        { name: 'a', chain: 'eth', region: 'eu', role: 'miner', url: 'http://127.0.0.1:1' },
        400,
        'parameter_invalid',
      ],
      [
        '/v1/nodeops/nodes',
        { name: 'eth-rpc-eu', chain: 'eth', region: 'eu', role: 'rpc', url: 'http://127.0.0.1:1' },
        409,
        'node_name_taken',
      ],
      [
        '/v1/nodeops/channels',
        { name: 's', kind: 'slack', webhook_url: 'http://192.168.1.1/hook' },
        400,
        'url_forbidden_address',
      ],
      [
        '/v1/nodeops/channels',
        { name: 's', kind: 'telegram', bot_token: 'nope', chat_id: '1' },
        400,
        'parameter_invalid',
      ],
    ];
    for (const [path, body, status, code] of cases) {
      const r = await t.request('POST', path, { token: operator, body });
      expect({ path, body, status: r.status, code: r.body?.error?.code }).toEqual({
        path,
        body,
        status,
        code,
      });
    }
    expect(await counts()).toEqual(before);
  });

  it('customers may not read or change the fleet', async () => {
    const r = await t.request('GET', '/v1/nodeops/nodes', { token: customer });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('role_not_allowed');
  });

  it('an operator bans and unbans a node by API; both are audited', async () => {
    const ban = await t.request('POST', '/v1/nodeops/nodes/eth-rpc-eu/ban', {
      token: operator,
      body: { reason: 'maintenance' },
    });
    expect(ban.status, ban.text).toBe(200);
    expect(ban.body).toMatchObject({ banned: true, ban_reason: 'maintenance' });
    const twice = await t.request('POST', '/v1/nodeops/nodes/eth-rpc-eu/ban', {
      token: operator,
      body: { reason: 'again' },
    });
    expect(twice.body.error.code).toBe('node_already_banned');
    const un = await t.request('POST', '/v1/nodeops/nodes/eth-rpc-eu/unban', { token: operator });
    expect(un.body.banned).toBe(false);
    const { rows } = await t.vw.db.query<{ action: string }>(
      `SELECT action FROM audit_events WHERE action IN ('nodeops_node.banned', 'nodeops_node.unbanned') ORDER BY seq`,
    );
    expect(rows.map((r) => r.action)).toEqual(['nodeops_node.banned', 'nodeops_node.unbanned']);
  });

  it('vaultwire nodes status|ban|unban and alerts list|ack|silence print what an operator reads', async () => {
    const s = t.vw.nodeops;
    const actor = { type: 'system' as const, id: 'cli-test' };
    const run = async (
      fn: (io: { out(l: string): void; err(l: string): void }) => Promise<number>,
    ) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await fn({ out: (l) => out.push(l), err: (l) => err.push(l) });
      return { code, out, err };
    };

    const before = await run((io) => runNodesStatus(s, io, { chain: 'eth' }));
    expect(before.code).toBe(0);
    const line = before.out.find((l) => l.includes('eth-rpc-eu'));
    expect(line).toBeDefined();
    expect(line).not.toContain('BANNED');

    const ban = await run((io) =>
      runNodesBan(s, io, { node: 'eth-rpc-eu', reason: 'forked at 1200', actor }),
    );
    expect(ban.code).toBe(0);
    expect(ban.out[0]).toMatch(/^Banned eth-rpc-eu \(nod_[0-9A-Za-z]+\): forked at 1200$/);
    const again = await run((io) => runNodesBan(s, io, { node: 'eth-rpc-eu', reason: 'x', actor }));
    expect(again).toMatchObject({ code: 1, err: ['Not banned: node_already_banned'] });
    const banned = await run((io) => runNodesStatus(s, io, { chain: 'eth' }));
    expect(banned.out.find((l) => l.includes('eth-rpc-eu'))).toContain('BANNED (forked at 1200)');
    const unban = await run((io) => runNodesUnban(s, io, { node: 'eth-rpc-eu', actor }));
    expect(unban).toMatchObject({ code: 0, out: [expect.stringMatching(/^Unbanned eth-rpc-eu /)] });
    const unknown = await run((io) => runNodesUnban(s, io, { node: 'no-such-node', actor }));
    expect(unknown.code).toBe(1);

    expect((await run((io) => runAlertsList(s, io, {}))).out).toEqual(['No open alerts.']);
    const node = await s.fleet.getNode('eth-rpc-eu');
    if (isFailure(node)) throw new Error(node.code);
    const alert = await t.vw.db.transaction((tx) =>
      s.alerts.openAlert(tx, {
        node,
        kind: 'stalled',
        severity: 'critical',
        summary: 'eth-rpc-eu stalled at 1200',
        details: {},
        at: new Date(),
      }),
    );
    if (!alert) throw new Error('no alert opened');
    const listed = await run((io) => runAlertsList(s, io, {}));
    expect(listed.out).toHaveLength(1);
    expect(listed.out[0]).toContain(alert.id);
    expect(listed.out[0]).toMatch(/firing\s+critical/);
    expect(listed.out[0]).toContain('eth-rpc-eu stalled at 1200');
    const status = await run((io) => runNodesStatus(s, io, { chain: 'eth' }));
    expect(status.out.find((l) => l.includes('eth-rpc-eu'))).toContain(
      `last alert ${alert.id} stalled`,
    );

    const ack = await run((io) => runAlertsAck(s, io, { alert: alert.id, actor }));
    expect(ack).toMatchObject({ code: 0, out: [`Acknowledged ${alert.id}`] });
    expect((await run((io) => runAlertsList(s, io, {}))).out[0]).toContain('acknowledged');
    const silence = await run((io) =>
      runAlertsSilence(s, io, { alert: alert.id, seconds: 3600, actor }),
    );
    expect(silence.code).toBe(0);
    expect(silence.out[0]).toMatch(new RegExp(`^Silenced ${alert.id} until \\d{4}-`));
    const missing = await run((io) => runAlertsAck(s, io, { alert: 'nal_missing', actor }));
    expect(missing).toMatchObject({ code: 1, err: ['Not acknowledged: alert_not_found'] });
  });
});
