import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './platform/config/config.js';
import { configTableMarkdown, describeConfig, loadConfig, ROLES } from './modules.js';

const key = Buffer.alloc(32, 1).toString('base64');

describe('loadConfig', () => {
  it('gives dev defaults with nothing set', () => {
    const c = loadConfig({ env: {} });
    expect(c.profile).toBe('dev');
    expect(c.port).toBe(8080);
    expect(c.host).toBe('127.0.0.1');
    // Every role, modules' roles included (the default runs everything in one process).
    expect(c.roles).toEqual([...ROLES]);
    expect(c.roles).toContain('follower');
    expect(c.databaseUrl).toBeUndefined();
  });

  it('reads typed values from the environment', () => {
    const c = loadConfig({
      env: { PORT: '9090', VW_ROLES: 'api, worker', VW_TRUST_PROXY: 'true', VW_PROFILE: 'qa' },
    });
    expect(c.port).toBe(9090);
    expect(c.roles).toEqual(['api', 'worker']);
    expect(c.trustProxy).toBe(true);
    expect(c.host).toBe('0.0.0.0');
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT \(port/],
    [{ PORT: '70000' }, /PORT/],
    [{ VW_ROLES: 'api,chef' }, /VW_ROLES/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL.*postgres/],
    [{ VW_MASTER_KEY: 'c2hvcnQ=' }, /VW_MASTER_KEY.*32 bytes/],
    [{ VW_TRUST_PROXY: 'maybe' }, /VW_TRUST_PROXY/],
    [{ VW_PROFILE: 'staging' }, /VW_PROFILE/],
    [{ VW_WEBHOOK_FLEET_HEARTBEAT_MS: '499' }, /VW_WEBHOOK_FLEET_HEARTBEAT_MS.*>=500/],
    [{ VW_WEBHOOK_FLEET_HEARTBEAT_MS: '60001' }, /VW_WEBHOOK_FLEET_HEARTBEAT_MS.*<=60000/],
    [{ VW_WEBHOOK_FLEET_HEARTBEAT_MS: 'often' }, /VW_WEBHOOK_FLEET_HEARTBEAT_MS/],
  ])('names the bad setting in %j', (env, pattern) => {
    expect(() => loadConfig({ env })).toThrow(ConfigError);
    expect(() => loadConfig({ env })).toThrow(pattern);
  });

  it('reads the webhook delivery fleet heartbeat, 5 s unless set', () => {
    expect(loadConfig({ env: {} }).webhookFleetHeartbeatMs).toBe(5000);
    const c = loadConfig({ env: { VW_WEBHOOK_FLEET_HEARTBEAT_MS: '500' } });
    expect(c.webhookFleetHeartbeatMs).toBe(500);
  });

  it('never prints a secret value in an error', () => {
    try {
      loadConfig({ env: { DATABASE_URL: 'mysql://user:hunter2@db' } });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
  });

  it('requires a database and a master key in prod', () => {
    expect(() => loadConfig({ env: { VW_PROFILE: 'prod' } })).toThrow(/DATABASE_URL/);
    expect(() =>
      loadConfig({ env: { VW_PROFILE: 'prod', DATABASE_URL: 'postgres://h/db' } }),
    ).toThrow(/VW_MASTER_KEY/);
    const c = loadConfig({
      env: { VW_PROFILE: 'prod', DATABASE_URL: 'postgres://h/db', VW_MASTER_KEY: key },
    });
    expect(c.sessionTtlSeconds).toBe(12 * 3600);
  });

  it('layers YAML under the environment and refuses unknown keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vw-cfg-'));
    const file = join(dir, 'vaultwire.yaml');
    writeFileSync(file, 'port: 7070\nroles: [worker]\nlogLevel: debug\n');
    const c = loadConfig({ env: { LOG_LEVEL: 'warn' }, file });
    expect(c.port).toBe(7070);
    expect(c.roles).toEqual(['worker']);
    expect(c.logLevel).toBe('warn');

    writeFileSync(file, 'prot: 7070\n');
    expect(() => loadConfig({ env: {}, file })).toThrow(/Unknown setting "prot"/);
    writeFileSync(file, 'port: "x"\n');
    expect(() => loadConfig({ env: {}, file })).toThrow(/PORT \(port, from port in/);
  });

  it('hides API keys embedded in URLs when described', () => {
    const c = loadConfig({
      env: {
        VW_CHAINS: JSON.stringify([
          {
            key: 'eth',
            chainId: 1,
            rpcUrls: ['https://eth.example.com/v2/SECRETKEY123', 'https://u:pw@rpc.example.org'],
            nativeAsset: { code: 'ETH', decimals: 18 },
          },
        ]),
      },
    });
    const shown = JSON.stringify(describeConfig(c));
    expect(shown).not.toContain('SECRETKEY123');
    expect(shown).not.toContain('pw@');
    expect(shown).toContain('https://eth.example.com/[redacted]');
  });

  it('refuses a log filter named like the subscribed-contract logs', () => {
    const chain = (name: string) =>
      JSON.stringify([
        {
          key: 'eth',
          chainId: 1,
          rpcUrls: ['https://eth.example.com'],
          nativeAsset: { code: 'ETH', decimals: 18 },
          logFilters: [{ name, address: `0x${'ab'.repeat(20)}` }],
        },
      ]);
    expect(() => loadConfig({ env: { VW_CHAINS: chain('subscribed') } })).toThrow(
      /"subscribed" is reserved/,
    );
    const c = loadConfig({ env: { VW_CHAINS: chain('noted') } });
    expect(c.chains[0]?.logFilters[0]?.name).toBe('noted');
  });

  it('reads the webhook egress proxy: an http:// URL, credentials hidden when described', () => {
    expect(loadConfig({ env: {} }).webhookProxy).toBeUndefined();
    const c = loadConfig({ env: { VW_WEBHOOK_PROXY: 'http://vw:pw@10.0.0.9:4750' } });
    expect(c.webhookProxy).toBe('http://vw:pw@10.0.0.9:4750');
    expect(JSON.stringify(describeConfig(c))).not.toContain('pw@');
    for (const bad of ['https://proxy:4750', 'http://proxy:4750/path', 'socks5://proxy:1080']) {
      expect(() => loadConfig({ env: { VW_WEBHOOK_PROXY: bad } })).toThrow(/VW_WEBHOOK_PROXY/);
    }
  });

  it('masks secrets when described', () => {
    const c = loadConfig({ env: { DATABASE_URL: 'postgres://u:pw@h/db', VW_MASTER_KEY: key } });
    const d = describeConfig(c);
    expect(d['databaseUrl']).toBe('[redacted]');
    expect(d['masterKey']).toBe('[redacted]');
    expect(JSON.stringify(d)).not.toContain('pw@');
  });

  it('reads the SMTP server for notices, its password never shown nor echoed in an error', () => {
    expect(loadConfig({ env: {} }).smtpUrl).toBeUndefined();
    const c = loadConfig({
      env: {
        VW_SMTP_URL: 'smtps://mailer:s3cret@smtp.example.com:465',
        VW_MAIL_FROM: 'VW <a@b.c>',
      },
    });
    expect(c).toMatchObject({
      smtpUrl: 'smtps://mailer:s3cret@smtp.example.com:465',
      mailFrom: 'VW <a@b.c>',
    });
    expect(describeConfig(c)['smtpUrl']).toBe('[redacted]');
    expect(() => loadConfig({ env: { VW_SMTP_URL: 'http://mailer:s3cret@smtp:25' } })).toThrow(
      /VW_SMTP_URL/,
    );
    expect(() => loadConfig({ env: { VW_SMTP_URL: 'http://mailer:s3cret@smtp:25' } })).not.toThrow(
      /s3cret/,
    );
  });

  it('keeps the configuration table in docs/configuration.md in step with the settings', () => {
    const doc = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
    expect(doc).toContain(configTableMarkdown());
  });

  it('loads vaultwire.example.yaml (the loader refuses unknown keys and bad values)', () => {
    const file = fileURLToPath(new URL('../vaultwire.example.yaml', import.meta.url));
    expect(loadConfig({ file, env: {} })).toMatchObject({
      profile: 'dev',
      port: 8080,
      roles: ['api', 'worker', 'scheduler', 'follower', 'delivery'],
      walletSpreadBps: 50,
      webhookEngine: 'postgres',
    });
  });
});
