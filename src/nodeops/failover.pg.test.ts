import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, testEnv, type TestApp } from '../../test/support/app.js';
import { spawnVaultwire, type VaultwireProcess } from '../../test/support/process.js';
import { startTelegram, type FakeService } from '../../test/fixtures/nodeops/receivers.js';
import { startScriptedChain, type ScriptedChain } from './simulator.js';

/**
 * Two monitor processes (`VW_ROLES=nodeops`) on one database, as two regions would run
 * them: both observe, one sends. Every alert reaches Telegram exactly once; when the
 * sender is killed (SIGKILL, no goodbye) the other takes over within the lease time and
 * the next alerts are sent, once each.
 */
const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
let chain: ScriptedChain;
let telegram: FakeService;
let t: TestApp;
const procs: VaultwireProcess[] = [];

beforeAll(async () => {
  chain = await startScriptedChain({ chainId: 'ha-1', blockTimeMs: 400 });
  for (const n of ['a', 'b', 'c', 'ref']) chain.addNode(n);
  telegram = await startTelegram(TOKEN);
  const nodeops = JSON.stringify({
    enabled: true,
    intervalMs: 100,
    sendPollMs: 50,
    senderLeaseMs: 1500,
    ssrfAllow: ['127.0.0.0/8'],
    chains: [
      { key: 'ha', family: 'cometbft', blockTimeSeconds: 0.4, references: [chain.nodeUrl('ref')] },
    ],
    nodes: ['a', 'b', 'c'].map((n) => ({
      name: n,
      chain: 'ha',
      region: 'eu',
      role: 'rpc',
      url: chain.nodeUrl(n),
    })),
    channels: [
      { name: 'tg', kind: 'telegram', botToken: TOKEN, chatId: '-100777', apiUrl: telegram.url },
    ],
  });
  t = await createTestApp({ VW_NODEOPS: nodeops });
  if (!t.testDb.url) throw new Error('this test needs PostgreSQL');
  for (const region of ['eu', 'us']) {
    procs.push(
      spawnVaultwire(['start'], {
        ...testEnv(),
        DATABASE_URL: t.testDb.url,
        LOG_LEVEL: 'info',
        VW_ROLES: 'nodeops',
        VW_NODEOPS: nodeops,
        VW_INSTANCE_ID: `monitor-${region}`,
      }),
    );
  }
  await Promise.all(procs.map((p) => p.waitForLog('nodeops monitor started', 60_000)));
});

afterAll(async () => {
  for (const p of procs) {
    p.kill('SIGKILL');
    await p.exited;
  }
  await t.close();
  await Promise.all([chain.close(), telegram.close()]);
});

const firing = (node: string) =>
  telegram.received.filter((r) =>
    String(r.body['text']).startsWith(`[FIRING critical] ha/${node} `),
  );

async function holder(): Promise<string | undefined> {
  const { rows } = await t.vw.db.query<{ holder: string | null }>(
    `SELECT holder FROM leases WHERE name = 'nodeops.monitor' AND expires_at > now()`,
  );
  return rows[0]?.holder ?? undefined;
}

async function until(what: string, fn: () => boolean | Promise<boolean>, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('two nodeops processes', () => {
  it('send each alert once, and the survivor takes over when the sender is killed', async () => {
    await until('a sender', async () => (await holder()) !== undefined);
    chain.down('a', true);
    await until('the alert on a', () => firing('a').length > 0);
    await new Promise((r) => setTimeout(r, 1000));
    expect(firing('a')).toHaveLength(1);

    const leader = await holder();
    const victim = procs.find((p) => leader?.startsWith(`monitor-${p === procs[0] ? 'eu' : 'us'}`));
    expect(victim).toBeDefined();
    victim?.kill('SIGKILL');
    const killedAt = Date.now();
    chain.down('b', true);
    await until('the alert on b from the survivor', () => firing('b').length > 0);
    // The lease (1.5 s) runs out, the other takes it and sends.
    expect(Date.now() - killedAt).toBeLessThan(6000);
    expect(await holder()).not.toBe(leader);
    chain.down('a', false);
    await until('a resolved', () =>
      telegram.received.some((r) => String(r.body['text']).startsWith('[RESOLVED] ha/a ')),
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(firing('a')).toHaveLength(1);
    expect(firing('b')).toHaveLength(1);
    expect(
      telegram.received.filter((r) => String(r.body['text']).startsWith('[RESOLVED] ha/a ')),
    ).toHaveLength(1);
  });
});
