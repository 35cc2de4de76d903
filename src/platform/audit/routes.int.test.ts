import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/app.js';
import { parseAnchorLine } from './anchor.js';

/**
 * GET /v1/audit_anchors/status through HTTP, on PGlite and PostgreSQL: what an admin sees
 * of anchoring, on and off.
 */

const PW = 'correct horse battery staple';
const SYSTEM = { type: 'system' as const, id: 'test' };
const dir = mkdtempSync(join(tmpdir(), 'vw-anchor-status-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function adminToken(t: TestApp): Promise<string> {
  await t.vw.identity.createAdmin({ email: 'root@example.com', password: PW }, SYSTEM);
  const r = await t.request('POST', '/v1/sessions', {
    body: { email: 'root@example.com', password: PW },
  });
  expect(r.status, r.text).toBe(201);
  return r.body.token as string;
}

describe('audit anchor status: anchoring on', () => {
  let t: TestApp;
  let admin: string;
  let anchoredSeq = '';
  const file = join(dir, 'anchors.jsonl');

  beforeAll(async () => {
    // The file sink works; the collector is a loopback address the SSRF guard refuses,
    // so it stays behind.
    t = await createTestApp({
      VW_AUDIT_ANCHOR_FILE: file,
      VW_AUDIT_ANCHOR_URL: 'https://127.0.0.1:9/anchors',
    });
    admin = await adminToken(t);
  });
  afterAll(async () => {
    await t.close();
  });

  /** The status as an admin reads it; a 200. */
  const status = async () => {
    const r = await t.request('GET', '/v1/audit_anchors/status', { token: admin });
    expect(r.status, r.text).toBe(200);
    return r;
  };

  it('shows no anchor before the first export', async () => {
    const r = await status();
    expect(r.body).toEqual({
      object: 'audit_anchor_status',
      enabled: true,
      sinks: ['file', 'url'],
      last: null,
      sinks_behind: [],
    });
  });

  it('shows the last anchor exported, as written to the file, and the sink that owes it', async () => {
    await t.vw.audit.record({ action: 'test.happened', actorType: 'system' });
    const pass = await t.vw.auditAnchorer.anchorOnce();
    expect(pass).toMatchObject({ kind: 'offered', delivered: ['file'], failed: ['url'] });
    const exported = parseAnchorLine(readFileSync(file, 'utf8').trim());
    if ('problem' in exported) throw new Error(exported.problem);

    const r = await status();
    expect(r.body).toEqual({
      object: 'audit_anchor_status',
      enabled: true,
      sinks: ['file', 'url'],
      last: {
        seq: exported.seq.toString(),
        hash: exported.hash,
        occurred_at: exported.occurredAt.toISOString(),
        anchored_at: exported.anchoredAt.toISOString(),
        key_id: exported.keyId,
        hmac: exported.hmac,
        sinks: ['file'],
      },
      sinks_behind: ['url'],
    });
    const head = (await t.vw.audit.list({ limit: 1 })).events[0];
    expect(r.body.last).toMatchObject({ seq: head?.seq.toString(), hash: head?.hash });
    anchoredSeq = r.body.last.seq as string;
  });

  it('refuses a non-admin’s API key with the typed 403, and an admin key without audit:read', async () => {
    const signUp = await t.request('POST', '/v1/users', {
      body: { email: 'curious@example.com', password: PW },
    });
    expect(signUp.status, signUp.text).toBe(201);
    const session = await t.request('POST', '/v1/sessions', {
      body: { email: 'curious@example.com', password: PW },
    });
    const key = await t.request('POST', '/v1/api_keys', {
      body: { name: 'everything I may', scopes: ['*'] },
      token: session.body.token,
    });
    expect(key.status, key.text).toBe(201);
    const refused = await t.request('GET', '/v1/audit_anchors/status', { token: key.body.secret });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({
      type: 'permission_error',
      code: 'role_not_allowed',
    });

    const narrowAdminKey = await t.request('POST', '/v1/api_keys', {
      body: { name: 'profile only', scopes: ['profile:read'] },
      token: admin,
    });
    expect(narrowAdminKey.status, narrowAdminKey.text).toBe(201);
    const noScope = await t.request('GET', '/v1/audit_anchors/status', {
      token: narrowAdminKey.body.secret,
    });
    expect(noScope.status).toBe(403);
    expect(noScope.body.error).toMatchObject({ type: 'permission_error', code: 'scope_missing' });

    const adminKey = await t.request('POST', '/v1/api_keys', {
      body: { name: 'audit reader', scopes: ['audit:read'] },
      token: admin,
    });
    const allowed = await t.request('GET', '/v1/audit_anchors/status', {
      token: adminKey.body.secret,
    });
    expect(allowed.status, allowed.text).toBe(200);
    // Events recorded since (the keys above) wait for the next anchor.
    expect(allowed.body.last.seq).toBe(anchoredSeq);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await t.request('GET', '/openapi.json')).body;
    const op = doc.paths['/v1/audit_anchors/status'].get;
    expect(op.security).toEqual([{ bearerAuth: [] }]);
    expect(op.description).toContain('Scope: `audit:read`');
    expect(doc.components.schemas.AuditAnchorStatus.required).toEqual(
      expect.arrayContaining(['object', 'enabled', 'sinks', 'last', 'sinks_behind']),
    );
  });
});

describe('audit anchor status: anchoring off', () => {
  it('answers enabled: false, not an error', async () => {
    const t = await createTestApp();
    try {
      const admin = await adminToken(t);
      const r = await t.request('GET', '/v1/audit_anchors/status', { token: admin });
      expect(r.status, r.text).toBe(200);
      expect(r.body).toEqual({
        object: 'audit_anchor_status',
        enabled: false,
        sinks: [],
        last: null,
        sinks_behind: [],
      });
    } finally {
      await t.close();
    }
  });
});
