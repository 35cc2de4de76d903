import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { selfSignedCertificate } from '../../test/support/tls.js';
import { startTelegram, type FakeService } from '../../test/fixtures/nodeops/receivers.js';
import { runBackupsStatus } from './cli.js';

/**
 * Monitors that are not chain nodes, through the real monitor loop and alert engine:
 * backup freshness per region (a directory's newest file, an HTTP object's
 * Last-Modified), uptime of a web service (status, keyword, JSON pointer, latency, TLS
 * certificate expiry) and push heartbeats. Their alerts go through the same routing,
 * acknowledgement and deduplication as node alerts; the text a person reads is asserted
 * at a Telegram-Bot-API-shaped receiver. Backup ages are set with utimes, so nothing
 * waits for a backup to grow old.
 */
const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const PUSH_TOKEN = 'cron-job-token-0123456789abcdef';
const PW = 'correct horse battery staple';
const HOUR = 3600_000;

let t: TestApp;
let telegram: FakeService;
let operator: string;
let customer: string;
const root = mkdtempSync(join(tmpdir(), 'vw-backups-'));
const euDir = join(root, 'eu');
const outside = mkdtempSync(join(tmpdir(), 'vw-not-backups-'));

/** A web service whose answers the test scripts. */
const web = { status: 200, body: '{"status":"ok","db":true}', delayMs: 0 };
/** An object store: HEAD answers Last-Modified and the height in S3 user metadata. */
const store = { lastModified: new Date(), height: '19200412', status: 200 };
let webServer: Server;
let storeServer: Server;
let tlsServer: Server;
let webUrl = '';
let storeUrl = '';
let tlsUrl = '';
let certPem = '';
const running: { stop(): Promise<void> }[] = [];

const listen = async (s: Server) => {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
};

function backupFile(dir: string, name: string, ageMs: number) {
  const p = join(dir, name);
  writeFileSync(p, 'backup');
  const at = new Date(Date.now() - ageMs);
  utimesSync(p, at, at);
}

async function user(email: string, role?: 'operator') {
  const r = await t.request('POST', '/v1/users', { body: { email, password: PW } });
  expect(r.status, r.text).toBe(201);
  if (role) await t.vw.identity.changeRole(r.body.id, role, { type: 'system', id: 'test' });
  const s = await t.request('POST', '/v1/sessions', { body: { email, password: PW } });
  return s.body.token as string;
}

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  ms = 60_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const texts = () => telegram.received.map((r) => String(r.body['text']));
/** The first message since `from` that starts with `prefix` (other monitors alert meanwhile). */
const message = (from: number, prefix: string) =>
  until(`a message starting ${prefix}`, () =>
    texts()
      .slice(from)
      .find((x) => x.startsWith(prefix)),
  );

async function openAlerts(monitor: string) {
  const r = await t.request('GET', `/v1/nodeops/alerts?status=open&monitor=${monitor}`, {
    token: operator,
  });
  expect(r.status, r.text).toBe(200);
  return r.body.data as { id: string; kind: string; summary: string; monitor: string }[];
}

function startMonitor() {
  const m = t.vw.nodeops.createMonitor().start();
  running.push(m);
  return m;
}

beforeAll(async () => {
  mkdirSync(euDir);
  backupFile(euDir, 'snapshot-19200400.tar.lz4', 10 * 60_000);
  webServer = createHttpServer((req, res) => {
    setTimeout(() => {
      res.writeHead(web.status, { 'content-type': 'application/json' }).end(web.body);
    }, web.delayMs);
  });
  webUrl = `http://127.0.0.1:${await listen(webServer)}/health`;
  storeServer = createHttpServer((req, res) => {
    if (store.status !== 200) {
      res.writeHead(store.status).end();
      return;
    }
    res
      .writeHead(200, {
        'last-modified': store.lastModified.toUTCString(),
        'x-amz-meta-height': store.height,
        'content-length': '6',
      })
      .end();
  });
  storeUrl = `http://127.0.0.1:${await listen(storeServer)}/backups/hub/latest.tar.lz4`;
  const cert = selfSignedCertificate();
  certPem = cert.cert;
  tlsServer = createHttpsServer({ key: cert.key, cert: cert.cert }, (_req, res) => {
    res.writeHead(200).end('ok');
  });
  tlsUrl = `https://127.0.0.1:${await listen(tlsServer)}/`;
  telegram = await startTelegram(TOKEN);

  t = await createTestApp({
    VW_NODEOPS: JSON.stringify({
      enabled: false,
      intervalMs: 100,
      sendPollMs: 50,
      senderLeaseMs: 1500,
      ssrfAllow: ['127.0.0.0/8'],
      backupPathRoots: [root],
      monitors: [
        {
          name: 'hub-backup-eu',
          kind: 'backup',
          chain: 'hub',
          region: 'eu',
          path: euDir,
          maxAgeSeconds: 3600,
          intervalSeconds: 0.2,
          heightPattern: 'snapshot-(\\d+)',
        },
        {
          name: 'hub-backup-us',
          kind: 'backup',
          chain: 'hub',
          region: 'us',
          url: storeUrl,
          maxAgeSeconds: 3600,
          intervalSeconds: 0.2,
        },
        {
          name: 'api-health',
          kind: 'http',
          url: webUrl,
          keyword: 'status',
          jsonPointer: '/db',
          jsonEquals: true,
          // Far from what a loaded test machine takes to answer (the slow case waits 6 s).
          maxLatencyMs: 3000,
          failureThreshold: 2,
          intervalSeconds: 0.2,
          timeoutMs: 15_000,
        },
        {
          name: 'nightly-job',
          kind: 'push',
          token: PUSH_TOKEN,
          maxSilenceSeconds: 1.5,
          intervalSeconds: 0.1,
        },
      ],
      channels: [
        {
          name: 'ops-telegram',
          kind: 'telegram',
          botToken: TOKEN,
          chatId: '-1001234567',
          apiUrl: telegram.url,
        },
        {
          // Takes only another chain's alerts: a web service's (no chain) never reach it.
          name: 'eth-only',
          kind: 'slack',
          webhookUrl: `${telegram.url}/services/T0/B0/eth`,
          chains: ['eth'],
        },
      ],
    }),
  });
  operator = await user('op@example.com', 'operator');
  customer = await user('c@example.com');
  // The heartbeat is fresh at the start of every case (it is under test in one).
  await t.request('POST', '/v1/nodeops/push', { headers: { 'x-push-token': PUSH_TOKEN } });
});

afterEach(async () => {
  while (running.length > 0) await running.pop()?.stop();
});

afterAll(async () => {
  await t.close();
  await telegram.close();
  for (const s of [webServer, storeServer, tlsServer]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('backup freshness', () => {
  it('alerts when a region’s newest backup is older than max age, resolves on a new backup, and shows the freshest region', async () => {
    await t.request('POST', '/v1/nodeops/push', { headers: { 'x-push-token': PUSH_TOKEN } });
    startMonitor();
    await until('both regions checked', async () => {
      const r = await t.request('GET', '/v1/nodeops/backups?chain=hub', { token: operator });
      const regions = (r.body.data[0]?.regions ?? []) as { newest_at: string | null }[];
      return regions.length === 2 && regions.every((x) => x.newest_at !== null) ? r : undefined;
    });
    // us (the object store, just written) is fresher than eu (10 minutes old).
    let view = await t.request('GET', '/v1/nodeops/backups?chain=hub', { token: operator });
    expect(view.status, view.text).toBe(200);
    expect(view.body.data[0]).toMatchObject({
      chain: 'hub',
      freshest: { region: 'us', monitor: 'hub-backup-us', height: 19200412, stale: false },
    });
    const eu = view.body.data[0].regions.find((r: { region: string }) => r.region === 'eu');
    expect(eu).toMatchObject({ height: 19200400, stale: false, max_age_seconds: 3600 });
    expect(eu.age_seconds).toBeGreaterThanOrEqual(590);

    // The object store's newest backup is two hours old: us goes stale.
    const before = telegram.received.length;
    store.lastModified = new Date(Date.now() - 2 * HOUR);
    expect(await message(before, '[FIRING critical] hub/hub-backup-us')).toMatch(
      /^\[FIRING critical\] hub\/hub-backup-us \(us\): hub-backup-us: the newest backup is 2\.0 h old \(limit 60 min\), http:\/\/127\.0\.0\.1:\d+\/backups\/hub\/latest\.tar\.lz4 of .*\nAlert nal_/,
    );
    const open = await openAlerts('hub-backup-us');
    expect(open).toMatchObject([{ kind: 'backup_stale', monitor: 'hub-backup-us' }]);
    // Once the check is written, eu holds the freshest backup and us is stale.
    view = await until('us stale in the view', async () => {
      const v = await t.request('GET', '/v1/nodeops/backups?chain=hub', { token: operator });
      return v.body.data[0].freshest.region === 'eu' ? v : undefined;
    });
    expect(view.body.data[0].freshest).toMatchObject({ region: 'eu', stale: false });
    expect(
      view.body.data[0].regions.find((r: { region: string }) => r.region === 'us'),
    ).toMatchObject({ stale: true });
    // `vaultwire backups status`, as the operator reads it after these checks: eu (a
    // directory's newest file, 10 minutes old) fresh and the freshest, us (the object
    // store's Last-Modified, 2 hours old) stale.
    const lines: string[] = [];
    const code = await runBackupsStatus(
      t.vw.nodeops,
      { out: (l) => lines.push(l), err: (l) => lines.push(`error: ${l}`) },
      { chain: 'hub' },
    );
    expect(code).toBe(0);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('hub: freshest in eu (hub-backup-eu, height 19200400)');
    const iso = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';
    const euLine = new RegExp(
      `^\\s+eu\\s+hub-backup-eu\\s+${iso}\\s+age=(\\d+)s\\s+max=3600s\\s+fresh\\s+<- freshest$`,
    ).exec(lines[1] ?? '');
    const usLine = new RegExp(
      `^\\s+us\\s+hub-backup-us\\s+${iso}\\s+age=(\\d+)s\\s+max=3600s\\s+STALE$`,
    ).exec(lines[2] ?? '');
    expect(euLine, lines[1]).not.toBeNull();
    expect(usLine, lines[2]).not.toBeNull();
    // Ages as the operator reads them: eu's file 10 minutes old, us's object 2 hours.
    expect(Number(euLine?.[1])).toBeGreaterThanOrEqual(600);
    expect(Number(euLine?.[1])).toBeLessThan(3600);
    expect(Number(usLine?.[1])).toBeGreaterThanOrEqual(7200);
    expect(Number(usLine?.[1])).toBeLessThan(7200 + 3600);

    // A new backup in us resolves it, once.
    store.lastModified = new Date();
    await until('resolved', async () =>
      (await openAlerts('hub-backup-us')).length === 0 ? true : undefined,
    );
    await message(before, '[RESOLVED] hub/hub-backup-us (us): backup_stale cleared');
    const events = await t.vw.db.query<{ type: string; payload: Record<string, unknown> }>(
      `SELECT type, payload FROM outbox_events WHERE type LIKE 'nodeops.alert.%' AND payload->>'monitor' = 'hub-backup-us' ORDER BY seq`,
    );
    expect(events.rows.map((e) => e.type)).toEqual([
      'nodeops.alert.opened',
      'nodeops.alert.resolved',
    ]);
    expect(events.rows[0]?.payload).toMatchObject({
      kind: 'backup_stale',
      chain: 'hub',
      region: 'us',
      node_id: null,
    });
  });

  it('backups gone old in a directory alert; an acknowledged alert still resolves on a new backup', async () => {
    await t.request('POST', '/v1/nodeops/push', { headers: { 'x-push-token': PUSH_TOKEN } });
    startMonitor();
    const oldAt = new Date(Date.now() - 3 * HOUR);
    utimesSync(join(euDir, 'snapshot-19200400.tar.lz4'), oldAt, oldAt);
    const [alert] = await until('eu stale', async () => {
      const a = await openAlerts('hub-backup-eu');
      return a.length > 0 ? a : undefined;
    });
    expect(alert?.summary).toMatch(/^hub-backup-eu: the newest backup is 3\.0 h old/);
    const ack = await t.request('POST', `/v1/nodeops/alerts/${alert?.id}/acknowledge`, {
      token: operator,
    });
    expect(ack.status, ack.text).toBe(200);
    expect(ack.body).toMatchObject({ status: 'acknowledged', monitor: 'hub-backup-eu' });
    backupFile(euDir, 'snapshot-19200500.tar.lz4', 1000);
    await until('eu fresh', async () =>
      (await openAlerts('hub-backup-eu')).length === 0 ? true : undefined,
    );
    // The status view shows the new backup's height once the check is written.
    await until('eu at the new height', async () => {
      const view = await t.request('GET', '/v1/nodeops/backups?chain=hub', { token: operator });
      const eu = view.body.data[0].regions.find((r: { region: string }) => r.region === 'eu');
      return eu.height === 19200500 && !eu.stale ? true : undefined;
    });
  });
});

describe('uptime', () => {
  it('a service answering 500 is down after failureThreshold checks; a slow one is slow; both resolve', async () => {
    await t.request('POST', '/v1/nodeops/push', { headers: { 'x-push-token': PUSH_TOKEN } });
    startMonitor();
    const before = telegram.received.length;
    web.status = 503;
    web.body = 'maintenance';
    expect(await message(before, '[FIRING critical] api-health')).toMatch(
      /^\[FIRING critical\] api-health: api-health is down: http:\/\/127\.0\.0\.1:\d+\/health HTTP 503\nAlert nal_/,
    );
    web.status = 200;
    web.body = '{"status":"ok","db":false}';
    // Up by status and keyword, but the JSON check fails: still down (not resolved).
    await until('checked with the new body', async () => {
      const m = await t.request('GET', '/v1/nodeops/monitors/api-health', { token: operator });
      return m.body.last?.status === 200 ? m : undefined;
    });
    expect((await openAlerts('api-health')).map((a) => a.kind)).toEqual(['down']);
    web.body = '{"status":"ok","db":true}';
    await until('up again', async () =>
      (await openAlerts('api-health')).length === 0 ? true : undefined,
    );
    await message(before, '[RESOLVED] api-health: down cleared');

    web.delayMs = 6000;
    const [slow] = await until('slow', async () => {
      const a = await openAlerts('api-health');
      return a.length > 0 ? a : undefined;
    });
    expect(slow).toMatchObject({ kind: 'slow' });
    expect(slow?.summary).toMatch(/answered in \d+ ms \(limit 3000 ms\)/);
    web.delayMs = 0;
    await until('fast again', async () =>
      (await openAlerts('api-health')).length === 0 ? true : undefined,
    );
    // A web service of no chain reaches channels that take every chain, not `eth-only`.
    const deliveries = await t.vw.db.query<{ name: string }>(
      `SELECT DISTINCT c.name FROM nodeops_deliveries d JOIN nodeops_channels c ON c.id = d.channel_id
       JOIN nodeops_notices n ON n.id = d.notice_id JOIN nodeops_alerts a ON a.id = n.alert_id
       JOIN nodeops_monitors m ON m.id = a.monitor_id WHERE m.name = 'api-health'`,
    );
    expect(deliveries.rows.map((r) => r.name)).toEqual(['ops-telegram']);
  });

  it('a TLS certificate expiring within cert_expiry_days alerts (a private CA trusted by ca_cert)', async () => {
    const created = await t.request('POST', '/v1/nodeops/monitors', {
      token: operator,
      body: {
        name: 'tls-site',
        kind: 'http',
        url: tlsUrl,
        cert_expiry_days: 30,
        ca_cert: certPem,
        interval_seconds: 0.2,
        // A loaded machine's handshake is not what this case is about.
        timeout_ms: 15_000,
      },
    });
    expect(created.status, created.text).toBe(201);
    startMonitor();
    const [alert] = await until('cert alert', async () => {
      const a = await openAlerts('tls-site');
      return a.length > 0 ? a : undefined;
    });
    // The test certificate is valid for one day: it expires within 30, and the site is up.
    expect(alert).toMatchObject({ kind: 'cert_expiring' });
    expect(alert?.summary).toMatch(
      /the TLS certificate of https:\/\/127\.0\.0\.1:\d+\/ expires in \d/,
    );
    const m = await until('the state written', async () => {
      const r = await t.request('GET', '/v1/nodeops/monitors/tls-site', { token: operator });
      return r.body.state === 'cert_expiring' ? r : undefined;
    });
    expect(m.body).toMatchObject({ state: 'cert_expiring', last: { status: 200 } });
    expect(Date.parse(m.body.last.cert_expires_at) - Date.now()).toBeLessThan(2 * 86_400_000);
    const del = await t.request('DELETE', '/v1/nodeops/monitors/tls-site', { token: operator });
    expect(del.status).toBe(200);
  });
});

describe('push heartbeats', () => {
  it('a job that stops calling in alerts; its next call resolves the alert', async () => {
    await t.request('POST', '/v1/nodeops/push', { headers: { 'x-push-token': PUSH_TOKEN } });
    startMonitor();
    const [missed] = await until('heartbeat missed', async () => {
      const a = await openAlerts('nightly-job');
      return a.length > 0 ? a : undefined;
    });
    expect(missed?.summary).toMatch(/^nightly-job: no heartbeat for \d+ s \(limit 2 s\)/);
    const r = await t.request('POST', '/v1/nodeops/push', {
      headers: { 'x-push-token': PUSH_TOKEN },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body.monitor).toBe('nightly-job');
    await until('resolved', async () =>
      (await openAlerts('nightly-job')).length === 0 ? true : undefined,
    );
  });

  it('a monitor made through the API returns its token once; an unknown token is a typed 404', async () => {
    const c = await t.request('POST', '/v1/nodeops/monitors', {
      token: operator,
      body: { name: 'backup-job', kind: 'push', max_silence_seconds: 600 },
    });
    expect(c.status, c.text).toBe(201);
    expect(c.body.push_token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const got = await t.request('GET', '/v1/nodeops/monitors/backup-job', { token: operator });
    expect(got.body.push_token).toBeUndefined();
    expect(JSON.stringify(got.body)).not.toContain(c.body.push_token);
    const ok = await t.request('POST', '/v1/nodeops/push', {
      headers: { 'x-push-token': c.body.push_token },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.monitor).toBe('backup-job');
    const bad = await t.request('POST', '/v1/nodeops/push', {
      headers: { 'x-push-token': 'not-a-token' },
    });
    expect(bad.status).toBe(404);
    expect(bad.body.error).toMatchObject({ type: 'not_found_error', code: 'push_token_unknown' });
  });
});

describe('monitor API input', () => {
  it('refuses bad monitors with a typed 4xx and writes nothing', async () => {
    const count = async () =>
      (
        await t.vw.db.query<{ n: number }>(
          `SELECT (SELECT count(*)::int FROM nodeops_monitors) +
                  (SELECT count(*)::int FROM audit_events WHERE action LIKE 'nodeops_monitor.%') AS n`,
        )
      ).rows[0]?.n;
    const before = await count();
    const post = (body: unknown, token = operator) =>
      t.request('POST', '/v1/nodeops/monitors', { token, body });
    const cases: [unknown, number, string, string | undefined][] = [
      [
        { name: 'b1', kind: 'backup', region: 'eu', path: join(outside, 'x') },
        400,
        'backup_path_not_allowed',
        'path',
      ],
      [
        { name: 'b2', kind: 'backup', region: 'eu', path: euDir, url: storeUrl },
        400,
        'parameter_invalid',
        'path',
      ],
      [{ name: 'b3', kind: 'backup', path: euDir }, 400, 'parameter_missing', 'region'],
      [
        { name: 'h1', kind: 'http', url: 'http://10.0.0.5/health' },
        400,
        'url_forbidden_address',
        'url',
      ],
      [{ name: 'h2', kind: 'http', url: 'ftp://example.com/' }, 400, 'parameter_invalid', 'url'],
      [
        { name: 'h3', kind: 'http', url: webUrl, json_equals: true },
        400,
        'parameter_invalid',
        'json_equals',
      ],
      [
        { name: 'h4', kind: 'http', url: webUrl, max_latency_ms: 10 ** 12 },
        400,
        'parameter_invalid',
        'max_latency_ms',
      ],
      [{ name: 'x1', kind: 'disk', path: '/' }, 400, 'parameter_invalid', 'kind'],
      [{ name: 'hub-backup-eu', kind: 'push' }, 409, 'monitor_name_taken', 'name'],
    ];
    for (const [body, status, code, param] of cases) {
      const r = await post(body);
      expect(r.status, `${JSON.stringify(body)}: ${r.text}`).toBe(status);
      expect(r.body.error.code, JSON.stringify(body)).toBe(code);
      if (param !== undefined) expect(r.body.error.param, JSON.stringify(body)).toBe(param);
    }
    const c = await post({ name: 'p9', kind: 'push' }, customer);
    expect(c.status).toBe(403);
    expect(await count()).toBe(before);
  });
});
