import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../test/support/db.js';
import { selfSignedCertificate } from '../../../test/support/tls.js';
import { createSsrfGuard } from '../net/ssrf.js';
import { ConfigError } from '../config/config.js';
import { describeConfig, loadConfig } from '../../modules.js';
import { createLogger } from '../observability/logger.js';
import { createAnchorSigner, formatAnchorLine, parseAnchorLine } from './anchor.js';
import { createFileAnchorSink, createUrlAnchorSink, type AnchorSink } from './anchor-sinks.js';
import { createAuditAnchorer, type AuditAnchorer } from './anchorer.js';
import {
  canonicalJson,
  createAuditLog,
  eventHash,
  type AuditEvent,
  type AuditLog,
} from './audit.js';
import { auditVerifyCommand } from './cli.js';

const signer = createAnchorSigner(Buffer.alloc(32, 3));
const logger = createLogger({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'vw-anchor-'));

// An HTTPS log collector on loopback, with a certificate made for this run.
let collector: Server;
let collectorUrl: string;
let cert: string;
const received: string[] = [];
/** The Authorization header of every request, whatever the answer (undefined: none). */
const authorizations: (string | undefined)[] = [];
let collectorAnswers = 200;

beforeAll(async () => {
  const tls = selfSignedCertificate();
  cert = tls.cert;
  collector = createServer({ key: tls.key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      authorizations.push(req.headers.authorization);
      if (collectorAnswers === 200) {
        received.push(`${req.headers['content-type']} ${Buffer.concat(chunks).toString()}`);
      }
      res.writeHead(collectorAnswers).end();
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  collectorUrl = `https://127.0.0.1:${(collector.address() as AddressInfo).port}/anchors?token=t`;
});

afterAll(async () => {
  collector.closeAllConnections();
  await new Promise((r) => collector.close(r));
  rmSync(dir, { recursive: true, force: true });
});

/** The operator's loopback allowlist, as tests of webhooks use it. */
const loopbackAllowed = () => createSsrfGuard({ allow: ['127.0.0.1/32'] });

interface Setup {
  t: TestDb;
  audit: AuditLog;
  anchorer: AuditAnchorer;
  file: string;
  registry: Registry;
}

let files = 0;
async function setup(sinks: (file: string) => AnchorSink[] = fileOnly): Promise<Setup> {
  const t = await createTestDb();
  const file = join(dir, `anchors-${++files}.jsonl`);
  const registry = new Registry();
  return {
    t,
    file,
    registry,
    audit: createAuditLog({ db: t.db, anchorSigner: signer }),
    anchorer: createAuditAnchorer({
      db: t.db,
      logger,
      registry,
      signer,
      sinks: sinks(file),
      intervalMs: 60_000,
    }),
  };
}

function fileOnly(file: string): AnchorSink[] {
  return [createFileAnchorSink(file)];
}

function fileAndCollector(file: string): AnchorSink[] {
  return [
    createFileAnchorSink(file),
    createUrlAnchorSink({ url: collectorUrl, guard: loopbackAllowed(), ca: cert }),
  ];
}

const linesOf = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

async function record(audit: AuditLog, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await audit.record({ action: 'test.happened', actorType: 'system', data: { i } });
  }
}

async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}) {
  const metric = await registry.getSingleMetric(name)?.get();
  return (
    metric?.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))
      ?.value ?? 0
  );
}

/** Runs `sql` with the append-only triggers off, as an intruder with database access would. */
async function asIntruder(t: TestDb, fn: (q: TestDb['db']) => Promise<void>): Promise<void> {
  await t.db.transaction(async () => {
    await t.db.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
    await t.db.query('ALTER TABLE audit_chain_head DISABLE TRIGGER USER');
    await fn(t.db);
    await t.db.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
    await t.db.query('ALTER TABLE audit_chain_head ENABLE TRIGGER USER');
  });
}

/**
 * Changes event `seq`'s data, then recomputes its hash and every later link and hash and
 * moves the head to match: a rewrite the chain's own links cannot reveal.
 */
async function rewriteConsistently(s: Setup, seq: bigint, data: Record<string, string>) {
  const { events } = await s.audit.list({ limit: 1000 });
  const chain = events.reverse();
  let prevHash = chain.find((e) => e.seq === seq - 1n)?.hash ?? '0'.repeat(64);
  await asIntruder(s.t, async (db) => {
    for (const e of chain.filter((x) => x.seq >= seq)) {
      const changed: AuditEvent = { ...e, data: e.seq === seq ? data : e.data, prevHash };
      const hash = eventHash(changed);
      await db.query(
        'UPDATE audit_events SET data = $2::jsonb, prev_hash = $3, hash = $4 WHERE seq = $1',
        [e.seq, canonicalJson(changed.data), prevHash, hash],
      );
      prevHash = hash;
    }
    await db.query('UPDATE audit_chain_head SET hash = $1', [prevHash]);
  });
}

function cli() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    output: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) },
  };
}

describe('audit anchors: writing', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup(fileAndCollector);
  });
  afterAll(async () => {
    await s.t.drop();
  });

  it('anchors nothing while the chain is empty', async () => {
    expect(await s.anchorer.anchorOnce()).toEqual({ kind: 'empty_chain' });
    expect(() => statSync(s.file)).toThrow(/ENOENT/);
    expect(received).toEqual([]);
  });

  it('appends one signed line per head move to the file (0600) and posts the same to the collector', async () => {
    await record(s.audit, 3);
    const pass = await s.anchorer.anchorOnce();
    expect(pass).toMatchObject({ kind: 'offered', fresh: true, delivered: ['file', 'url'] });
    const [line] = linesOf(s.file);
    expect(line).toBeDefined();
    const anchor = parseAnchorLine(line ?? '');
    const head = (await s.audit.list({ limit: 1 })).events[0];
    expect(anchor).toMatchObject({ seq: 3n, hash: head?.hash, occurredAt: head?.occurredAt });
    expect(statSync(s.file).mode & 0o777).toBe(0o600);
    expect(received).toEqual([`application/json ${line}`]);
    expect(await s.anchorer.last()).toMatchObject({ seq: 3n, sinks: ['file', 'url'] });

    // The head has not moved: nothing is written again.
    expect((await s.anchorer.anchorOnce()).kind).toBe('unchanged');
    await record(s.audit, 2);
    await s.anchorer.anchorOnce();
    expect(linesOf(s.file).map((l) => (parseAnchorLine(l) as { seq: bigint }).seq)).toEqual([
      3n,
      5n,
    ]);
    expect(received).toHaveLength(2);

    const verified = await s.audit.verify({ anchors: readFileSync(s.file, 'utf8') });
    expect(verified).toMatchObject({ ok: true, anchors: { checked: 2, newest: { seq: 5n } } });
    const io = cli();
    expect(
      await auditVerifyCommand(
        { audit: s.audit, anchorer: s.anchorer, ...io },
        { anchors: s.file },
      ),
    ).toBe(0);
    expect(io.out.join('\n')).toMatch(/Matches all 2 anchors .* pins seq 5/);
    expect(io.out.join('\n')).toMatch(/Last anchor exported: seq 5 .* taken by file, url/);
  });

  it('counts a failed POST and offers the same anchor again at the next tick, without a second file line', async () => {
    await record(s.audit, 1);
    collectorAnswers = 503;
    const failed = await s.anchorer.anchorOnce();
    expect(failed).toMatchObject({
      kind: 'offered',
      fresh: true,
      delivered: ['file'],
      failed: ['url'],
    });
    expect(
      await metricValue(s.registry, 'vaultwire_audit_anchor_writes_total', {
        sink: 'url',
        outcome: 'failed',
      }),
    ).toBe(1);
    expect((await s.anchorer.last())?.sinks).toEqual(['file']);

    collectorAnswers = 200;
    const retried = await s.anchorer.anchorOnce();
    expect(retried).toMatchObject({
      kind: 'offered',
      fresh: false,
      delivered: ['url'],
      failed: [],
    });
    const fileLines = linesOf(s.file);
    expect(fileLines).toHaveLength(3);
    expect(received.at(-1)).toBe(`application/json ${fileLines.at(-1)}`);
    expect((await s.anchorer.last())?.sinks).toEqual(['file', 'url']);
    expect((await s.anchorer.anchorOnce()).kind).toBe('unchanged');
  });

  it('exits 2 when the anchor file cannot be read', async () => {
    const io = cli();
    expect(
      await auditVerifyCommand({ audit: s.audit, ...io }, { anchors: join(dir, 'missing') }),
    ).toBe(2);
    expect(io.err.join()).toMatch(/Cannot read the anchor file/);
  });
});

describe('audit anchors: the URL sink and the SSRF guard', () => {
  it('refuses a loopback collector unless the operator allowlists it', async () => {
    const line = formatAnchorLine(
      signer.sign({ seq: 1n, hash: 'a'.repeat(64), occurredAt: new Date() }, new Date()),
    );
    const before = received.length;
    const byIp = createUrlAnchorSink({ url: collectorUrl, guard: createSsrfGuard(), ca: cert });
    await expect(byIp.write(line)).rejects.toThrow(/127\.0\.0\.1: loopback address/);
    const byName = createUrlAnchorSink({
      url: collectorUrl.replace('127.0.0.1', 'collector.internal'),
      guard: createSsrfGuard({
        resolver: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]),
      }),
      ca: cert,
    });
    await expect(byName.write(line)).rejects.toThrow(/refused to connect .* loopback/);
    expect(received).toHaveLength(before);

    const allowed = createUrlAnchorSink({ url: collectorUrl, guard: loopbackAllowed(), ca: cert });
    await allowed.write(line);
    expect(received.at(-1)).toBe(`application/json ${line}`);
  });

  it('accepts only https URLs without credentials in configuration', () => {
    expect(() =>
      loadConfig({ env: { VW_AUDIT_ANCHOR_URL: 'http://siem.example.com/in' } }),
    ).toThrow(ConfigError);
    expect(() =>
      loadConfig({ env: { VW_AUDIT_ANCHOR_URL: 'https://u:p@siem.example.com/in' } }),
    ).toThrow(/VW_AUDIT_ANCHOR_URL/);
    expect(
      loadConfig({ env: { VW_AUDIT_ANCHOR_URL: 'https://siem.example.com/in' } }).auditAnchorUrl,
    ).toBe('https://siem.example.com/in');
  });
});

describe('audit anchors: the collector token', () => {
  const TOKEN = 'vwc.Zm9v-bar_baz~42/+=';
  const line = formatAnchorLine(
    signer.sign({ seq: 1n, hash: 'b'.repeat(64), occurredAt: new Date() }, new Date()),
  );
  /** A sink for the test collector, with the token or without one. */
  const collectorSink = (token?: string) =>
    createUrlAnchorSink({ url: collectorUrl, guard: loopbackAllowed(), ca: cert, token });

  it('sends the token as a bearer header, exactly, and no header without one', async () => {
    const before = authorizations.length;
    const withToken = collectorSink(TOKEN);
    await withToken.write(line);
    expect(received.at(-1)).toBe(`application/json ${line}`);

    const without = collectorSink();
    await without.write(line);
    expect(authorizations.slice(before)).toEqual([`Bearer ${TOKEN}`, undefined]);
  });

  it('counts a 401 as a failed export whose error and log name the status, never the token', async () => {
    const logged: string[] = [];
    const s = await setup();
    // The writer as the scheduler runs it, with a log that is kept.
    const anchorer = createAuditAnchorer({
      db: s.t.db,
      logger: createLogger({
        level: 'info',
        destination: { write: (l: string) => logged.push(l) },
      }),
      registry: new Registry(),
      signer,
      sinks: [collectorSink(TOKEN)],
      intervalMs: 60_000,
    });
    try {
      collectorAnswers = 401;
      const before = authorizations.length;
      const direct = collectorSink(TOKEN);
      const err = await direct.write(line).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toMatch(/answered HTTP 401/);
      expect(err?.message).not.toContain(TOKEN);
      expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).not.toContain(TOKEN);

      await record(s.audit, 1);
      const pass = await anchorer.anchorOnce();
      expect(pass).toMatchObject({ kind: 'offered', delivered: [], failed: ['url'] });
      // The collector was asked with the token both times, and refused it.
      expect(authorizations.slice(before)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
      expect(logged.join('')).toMatch(/answered HTTP 401/);
      expect(logged.join('')).not.toContain(TOKEN);
    } finally {
      collectorAnswers = 200;
      await s.t.drop();
    }
  });

  it('refuses a token with a newline, a space or a control character at load, without showing it', () => {
    for (const bad of [`${TOKEN}\n`, `${TOKEN}\r\nX-Evil: 1`, 'two words', `a\u0000b`, 'ä-token']) {
      let message = '';
      try {
        loadConfig({ env: { VW_AUDIT_ANCHOR_TOKEN: bad } });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        message = (err as Error).message;
      }
      expect(message).toMatch(/VW_AUDIT_ANCHOR_TOKEN .*visible ASCII.*; got \[redacted\]/);
      expect(message).not.toContain(bad.slice(0, 4));
    }
    expect(() =>
      createUrlAnchorSink({ url: collectorUrl, guard: loopbackAllowed(), token: `${TOKEN}\n` }),
    ).toThrow(/token must be visible ASCII/);

    const config = loadConfig({ env: { VW_AUDIT_ANCHOR_TOKEN: TOKEN } });
    expect(config.auditAnchorToken).toBe(TOKEN);
    expect(describeConfig(config)['auditAnchorToken']).toBe('[redacted]');
  });
});

describe('audit anchors: verification', () => {
  it('catches a tail rewritten consistently, which the chain check alone passes', async () => {
    const s = await setup();
    try {
      for (const n of [2, 2, 2]) {
        await record(s.audit, n);
        await s.anchorer.anchorOnce();
      }
      expect(linesOf(s.file)).toHaveLength(3);
      await rewriteConsistently(s, 3n, { i: 'rewritten' });

      expect(await s.audit.verify()).toMatchObject({ ok: true, events: 6 });
      const anchored = await s.audit.verify({ anchors: readFileSync(s.file, 'utf8') });
      expect(anchored).toMatchObject({
        ok: false,
        events: 3,
        broken: { seq: 4n, reason: 'anchor_mismatch', anchor: { line: 2 } },
      });
      const io = cli();
      expect(await auditVerifyCommand({ audit: s.audit, ...io }, { anchors: s.file })).toBe(1);
      expect(io.err.join()).toMatch(
        /does NOT match the anchor on line 2 of .*: event 4 has hash [0-9a-f]{64}, the anchor pins [0-9a-f]{64}\. The chain was rewritten at or before seq 4/,
      );

      // The writer notices too, at its next pass.
      await s.anchorer.anchorOnce();
      expect(await metricValue(s.registry, 'vaultwire_audit_anchor_mismatch_total')).toBe(1);
    } finally {
      await s.t.drop();
    }
  });

  it('catches the newest events cut off with the head moved back', async () => {
    const s = await setup();
    try {
      await record(s.audit, 5);
      await s.anchorer.anchorOnce();
      await asIntruder(s.t, async (db) => {
        await db.query('DELETE FROM audit_events WHERE seq > 3');
        await db.query(
          'UPDATE audit_chain_head SET seq = 3, hash = (SELECT hash FROM audit_events WHERE seq = 3)',
        );
      });

      expect(await s.audit.verify()).toMatchObject({ ok: true, events: 3 });
      expect(await s.audit.verify({ anchors: readFileSync(s.file, 'utf8') })).toMatchObject({
        ok: false,
        broken: { seq: 5n, reason: 'anchor_beyond_head', actual: 'the chain ends at seq 3' },
      });
      const io = cli();
      expect(await auditVerifyCommand({ audit: s.audit, ...io }, { anchors: s.file })).toBe(1);
      expect(io.err.join()).toMatch(
        /SHORTER than the anchor on line 1 .* pins seq 5, the chain ends at seq 3/,
      );
    } finally {
      await s.t.drop();
    }
  });

  it('refuses an anchor line that was altered or signed with another key', async () => {
    const s = await setup();
    try {
      await record(s.audit, 2);
      await s.anchorer.anchorOnce();
      expect((await s.audit.verify({ anchors: readFileSync(s.file, 'utf8') })).ok).toBe(true);
      const genuine = linesOf(s.file)[0] ?? '';

      // Someone rewrote the chain and edits the anchor to match, keeping its HMAC.
      await rewriteConsistently(s, 1n, { i: 'rewritten' });
      const head = (await s.audit.list({ limit: 1 })).events[0];
      const altered = genuine.replace(/"hash":"[0-9a-f]{64}"/, `"hash":"${head?.hash ?? ''}"`);
      expect(altered).not.toBe(genuine);
      expect(await s.audit.verify({ anchors: `${altered}\n` })).toMatchObject({
        ok: false,
        broken: {
          seq: 2n,
          reason: 'anchor_invalid',
          actual: 'its HMAC does not verify: the line was forged or altered',
          anchor: { line: 1 },
        },
      });

      // Or forges a fresh one: without the master key its key is not ours.
      const forger = createAnchorSigner(Buffer.alloc(32, 4));
      const forged = formatAnchorLine(
        forger.sign({ seq: 2n, hash: head?.hash ?? '', occurredAt: new Date() }, new Date()),
      );
      appendFileSync(s.file, `${forged}\n`);
      const io = cli();
      expect(await auditVerifyCommand({ audit: s.audit, ...io }, { anchors: s.file })).toBe(1);
      expect(io.err.join()).toMatch(
        /anchor on line 2 of .* is not genuine: signed with anchor key [0-9a-f]{12}, but this master key's/,
      );
      // A line that is not an anchor at all is named as well.
      expect(await s.audit.verify({ anchors: 'not json\n' })).toMatchObject({
        ok: false,
        broken: { reason: 'anchor_invalid', actual: 'not JSON', anchor: { line: 1 } },
      });
    } finally {
      await s.t.drop();
    }
  });
});
