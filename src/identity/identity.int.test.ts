import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { issueToken } from '../platform/crypto/tokens.js';
import { base32Decode, totp } from '../platform/crypto/totp.js';

/**
 * The identity API through HTTP, on PGlite and PostgreSQL: sign-up, login, sessions, API
 * keys, roles, TOTP and the audit trail they leave.
 */

const PW = 'correct horse battery staple';
const SYSTEM = { type: 'system' as const, id: 'test' };

let t: TestApp;
// A wall clock the test moves, so TOTP codes fall in known 30-second steps.
let clock = Math.floor(Date.now() / 30_000) * 30_000 + 1_000;
let adminToken: string;

beforeAll(async () => {
  t = await createTestApp({}, { now: () => clock });
  const admin = await t.vw.identity.createAdmin(
    { email: 'root@example.com', password: PW },
    SYSTEM,
  );
  expect(admin).toMatchObject({ role: 'admin' });
  adminToken = await logIn('root@example.com');
});

afterAll(async () => {
  await t.close();
});

async function signUp(email: string, extra: Record<string, unknown> = {}) {
  return t.request('POST', '/v1/users', { body: { email, password: PW, ...extra } });
}

async function logIn(email: string, password = PW, extra: Record<string, unknown> = {}) {
  const r = await t.request('POST', '/v1/sessions', { body: { email, password, ...extra } });
  expect(r.status, r.text).toBe(201);
  return r.body.token as string;
}

async function userWithToken(email: string): Promise<{ id: string; token: string }> {
  const r = await signUp(email);
  expect(r.status, r.text).toBe(201);
  return { id: r.body.id, token: await logIn(email) };
}

async function count(table: string): Promise<number> {
  const { rows } = await t.vw.db.query<{ n: bigint }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0]?.n);
}

async function setRole(userId: string, role: string) {
  const r = await t.request('POST', `/v1/users/${userId}/role`, {
    body: { role },
    token: adminToken,
  });
  expect(r.status, r.text).toBe(200);
}

describe('sign-up, login, me, logout', () => {
  it('signs up a user with role user and a normalised email', async () => {
    const r = await signUp('Ada@Example.COM', { handle: 'Ada_L' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      object: 'user',
      email: 'ada@example.com',
      handle: 'ada_l',
      role: 'user',
      totp_enabled: false,
    });
    expect(r.body.id).toMatch(/^usr_[0-9A-Z]{26}$/);
    expect(r.text).not.toContain(PW);
  });

  it('refuses a second account for the same email, whatever its case, with a typed 409', async () => {
    const before = await count('users');
    const r = await signUp('ADA@example.com');
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({
      type: 'conflict_error',
      code: 'email_taken',
      param: 'email',
    });
    expect(await count('users')).toBe(before);
  });

  it('refuses a taken handle', async () => {
    const r = await signUp('other-ada@example.com', { handle: 'ADA_L' });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'handle_taken', param: 'handle' });
  });

  it.each([
    ['too short', 'short pw', /at least 12/],
    ['the email itself', 'weak@example.com', /email/],
    ['too long', 'x'.repeat(257), /at most 256/],
  ])('refuses a password that is %s with 400 and param', async (_name, password, message) => {
    const before = await count('users');
    const r = await t.request('POST', '/v1/users', {
      body: { email: 'weak@example.com', password },
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'password_weak',
      param: 'password',
    });
    expect(r.body.error.message).toMatch(message);
    expect(await count('users')).toBe(before);
  });

  it('does not let a sign-up choose its role', async () => {
    const r = await signUp('sneaky@example.com', { role: 'admin' });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'parameter_unknown', param: 'role' });
  });

  it('logs in, answers /v1/me, and logs out', async () => {
    const r = await t.request('POST', '/v1/sessions', {
      body: { email: 'ADA@example.com', password: PW },
      headers: { 'user-agent': 'vitest' },
    });
    expect(r.status).toBe(201);
    expect(r.body.token).toMatch(/^vws_[0-9A-Za-z]{49}$/);
    expect(r.body.id).toMatch(/^ses_/);
    expect(r.body.user).toMatchObject({ email: 'ada@example.com', role: 'user' });
    expect(new Date(r.body.expires_at).getTime()).toBe(clock + 86_400_000);
    const token = r.body.token as string;

    const me = await t.request('GET', '/v1/me', { token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: 'ada@example.com', role: 'user' });

    const sessions = await t.request('GET', '/v1/sessions', { token });
    expect(sessions.body.data.find((s: { current: boolean }) => s.current)).toMatchObject({
      id: r.body.id,
      user_agent: 'vitest',
    });

    const out = await t.request('DELETE', '/v1/sessions/current', { token });
    expect(out.status).toBe(204);
    const after = await t.request('GET', '/v1/me', { token });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('invalid_credentials');
  });

  it('gives the same answer for a wrong password and an unknown email', async () => {
    const wrong = await t.request('POST', '/v1/sessions', {
      body: { email: 'ada@example.com', password: 'not the password at all' },
    });
    const unknown = await t.request('POST', '/v1/sessions', {
      body: { email: 'nobody@example.com', password: PW },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error).toMatchObject({
      type: 'authentication_error',
      code: 'invalid_login',
    });
  });

  it('takes no Idempotency-Key on requests that carry a password, and stores nothing', async () => {
    const before = await count('idempotency_keys');
    const r = await t.request('POST', '/v1/sessions', {
      body: { email: 'ada@example.com', password: PW },
      headers: { 'idempotency-key': 'login-1' },
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({
      code: 'idempotency_key_not_allowed',
      param: 'Idempotency-Key',
    });
    expect(await count('idempotency_keys')).toBe(before);
  });
});

describe('missing, forged, expired and garbage credentials', () => {
  it('asks for credentials on a protected route', async () => {
    const r = await t.request('GET', '/v1/me');
    expect(r.status).toBe(401);
    expect(r.body.error).toMatchObject({
      type: 'authentication_error',
      code: 'authentication_required',
    });
  });

  it.each([
    ['garbage', 'nope'],
    ['a bad checksum', `vwk_${'A'.repeat(49)}`],
    ['a well-formed key nobody issued', issueToken('vwk').token],
    ['a well-formed session nobody issued', issueToken('vws').token],
    ['a very long token', 'x'.repeat(600)],
  ])('refuses %s with 401 and changes nothing', async (_name, token) => {
    const keys = await count('api_keys');
    const events = await count('audit_events');
    const r = await t.request('POST', '/v1/api_keys', {
      body: { name: 'x', scopes: ['*'] },
      token,
    });
    expect(r.status).toBe(401);
    expect(r.body.error).toMatchObject({
      type: 'authentication_error',
      code: 'invalid_credentials',
    });
    expect(await count('api_keys')).toBe(keys);
    expect(await count('audit_events')).toBe(events);
  });

  it('refuses an expired session', async () => {
    const { token } = await userWithToken('expiring@example.com');
    expect((await t.request('GET', '/v1/me', { token })).status).toBe(200);
    // Expired behind Vaultwire's back, so running processes are told, as an operator
    // editing credentials in the database must (docs/operations.md).
    await t.vw.db.query(
      `WITH u AS (UPDATE sessions SET expires_at = now() - interval '1 second'
                   WHERE user_id = (SELECT id FROM users WHERE email = $1) RETURNING user_id)
       SELECT pg_notify('vw_credentials', user_id) FROM u`,
      ['expiring@example.com'],
    );
    // Heard within milliseconds (a notification), not necessarily before the next line.
    const r = await untilRefused(() => t.request('GET', '/v1/me', { token }));
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('invalid_credentials');
  });

  it('refuses a non-bearer Authorization header', async () => {
    const r = await t.request('GET', '/v1/me', { headers: { authorization: 'Basic YTpi' } });
    expect(r.status).toBe(401);
  });
});

describe('API keys', () => {
  let owner: { id: string; token: string };

  beforeAll(async () => {
    owner = await userWithToken('merchant@example.com');
    await setRole(owner.id, 'merchant');
  });

  async function createKey(scopes: string[], token = owner.token, extra = {}) {
    return t.request('POST', '/v1/api_keys', {
      body: { name: 'test key', scopes, ...extra },
      token,
    });
  }

  it('shows the secret once, stores only its hash, and never lists it', async () => {
    const r = await createKey(['profile:read', 'keys:read']);
    expect(r.status).toBe(201);
    const secret = r.body.secret as string;
    expect(secret).toMatch(/^vwk_[0-9A-Za-z]{49}$/);
    expect(r.body).toMatchObject({
      object: 'api_key',
      user_id: owner.id,
      name: 'test key',
      scopes: ['profile:read', 'keys:read'],
      status: 'active',
      redacted_key: `vwk_…${secret.slice(-4)}`,
    });
    expect(r.body.id).toMatch(/^key_/);

    const { rows } = await t.vw.db.query('SELECT * FROM api_keys WHERE id = $1', [r.body.id]);
    expect(JSON.stringify(rows)).not.toContain(secret.slice(4, 40));

    const list = await t.request('GET', '/v1/api_keys', { token: owner.token });
    expect(list.status).toBe(200);
    expect(list.body.data.map((k: { id: string }) => k.id)).toContain(r.body.id);
    expect(list.text).not.toContain(secret.slice(4, 40));
    expect(list.body.data.every((k: object) => !('secret' in k))).toBe(true);
  });

  it('lets the key act as its owner, within its scopes', async () => {
    const { body } = await createKey(['profile:read']);
    const key = body.secret as string;
    const me = await t.request('GET', '/v1/me', { token: key });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: owner.id, role: 'merchant' });

    const refused = await t.request('GET', '/v1/api_keys', { token: key });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({
      type: 'permission_error',
      code: 'scope_missing',
    });

    const shown = await t.request('GET', `/v1/api_keys/${body.id}`, { token: owner.token });
    expect(shown.body.last_used_at).not.toBeNull();
  });

  it('does not let a key manage passwords, sessions or two-factor', async () => {
    const { body } = await createKey(['*']);
    const r = await t.request('POST', '/v1/me/totp', { token: body.secret });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('session_required');
  });

  it('does not let a key mint a broader key', async () => {
    const { body } = await createKey(['keys:write']);
    const narrow = await createKey(['keys:read'], body.secret);
    expect(narrow.status).toBe(201);
    const broader = await createKey(['profile:read'], body.secret);
    expect(broader.status).toBe(403);
    expect(broader.body.error).toMatchObject({ code: 'scope_not_grantable', param: 'scopes' });
    const wildcard = await createKey(['*'], body.secret);
    expect(wildcard.status).toBe(403);
  });

  it('refuses unknown scopes and past expiry dates', async () => {
    const unknown = await createKey(['profile:read', 'rockets:launch']);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'scope_unknown', param: 'scopes' });
    expect(unknown.body.error.message).toContain('rockets:launch');
    const past = await createKey(['profile:read'], owner.token, {
      expires_at: '2001-01-01T00:00:00Z',
    });
    expect(past.status).toBe(400);
    expect(past.body.error).toMatchObject({ code: 'expires_at_in_past', param: 'expires_at' });
  });

  it('refuses text the database cannot store (NUL) with a 400, not a 500', async () => {
    const r = await t.request('POST', '/v1/api_keys', {
      body: { name: 'bad\u0000name', scopes: ['profile:read'] },
      token: owner.token,
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('parameter_invalid');
    const cursor = await t.request('GET', '/v1/users?starting_after=usr_%00', {
      token: adminToken,
    });
    expect(cursor.status).toBe(400);
    expect(cursor.body.error.param).toBe('starting_after');
  });

  it('stops a key at its expiry', async () => {
    const { body } = await createKey(['profile:read'], owner.token, {
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect((await t.request('GET', '/v1/me', { token: body.secret })).status).toBe(200);
    await t.vw.db.query(
      `WITH k AS (UPDATE api_keys SET expires_at = now() - interval '1 second'
                   WHERE id = $1 RETURNING user_id)
       SELECT pg_notify('vw_credentials', user_id) FROM k`,
      [body.id],
    );
    const r = await untilRefused(() => t.request('GET', '/v1/me', { token: body.secret }));
    expect(r.status).toBe(401);
  });

  it('revokes a key: it fails at once; others cannot revoke it, an admin can', async () => {
    const a = await createKey(['profile:read']);
    const b = await createKey(['profile:read']);
    const stranger = await userWithToken('stranger@example.com');

    const notYours = await t.request('POST', `/v1/api_keys/${a.body.id}/revoke`, {
      token: stranger.token,
    });
    expect(notYours.status).toBe(404);
    expect(notYours.body.error.code).toBe('api_key_not_found');
    expect((await t.request('GET', '/v1/me', { token: a.body.secret })).status).toBe(200);

    const revoked = await t.request('POST', `/v1/api_keys/${a.body.id}/revoke`, {
      token: owner.token,
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('revoked');
    const after = await t.request('GET', '/v1/me', { token: a.body.secret });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('invalid_credentials');

    const byAdmin = await t.request('POST', `/v1/api_keys/${b.body.id}/revoke`, {
      token: adminToken,
    });
    expect(byAdmin.status).toBe(200);
    expect((await t.request('GET', '/v1/me', { token: b.body.secret })).status).toBe(401);
  });

  it('replays a creation under its Idempotency-Key without the secret, and makes one key', async () => {
    const before = await count('api_keys');
    const headers = { 'idempotency-key': 'key-create-1' };
    const body = { name: 'ci', scopes: ['profile:read'] };
    const first = await t.request('POST', '/v1/api_keys', { body, headers, token: owner.token });
    const again = await t.request('POST', '/v1/api_keys', { body, headers, token: owner.token });
    expect(first.status).toBe(201);
    expect(first.body.secret).toMatch(/^vwk_/);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual({ ...first.body, secret: null });
    expect(await count('api_keys')).toBe(before + 1);
    const { rows } = await t.vw.db.query<{ response_body: string }>(
      'SELECT response_body FROM idempotency_keys WHERE key = $1',
      ['key-create-1'],
    );
    expect(rows[0]?.response_body).not.toContain((first.body.secret as string).slice(4, 40));
  });

  it("keeps another user's keys out of a user's list", async () => {
    const r = await t.request('GET', `/v1/api_keys?user_id=${owner.id}`, {
      token: (await userWithToken('nosy@example.com')).token,
    });
    expect(r.status).toBe(403);
    const asAdmin = await t.request('GET', `/v1/api_keys?user_id=${owner.id}`, {
      token: adminToken,
    });
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body.data.length).toBeGreaterThan(0);
  });
});

describe('roles', () => {
  it('refuses GET /v1/users to a user, allows it to an operator', async () => {
    const u = await userWithToken('promoted@example.com');
    const refused = await t.request('GET', '/v1/users', { token: u.token });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({
      type: 'permission_error',
      code: 'role_not_allowed',
    });

    await setRole(u.id, 'operator');
    // Same session: the new role applies on the next request.
    const allowed = await t.request('GET', '/v1/users?limit=2', { token: u.token });
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({ object: 'list', has_more: true });
    expect(allowed.body.data).toHaveLength(2);

    const operatorChangesRole = await t.request('POST', `/v1/users/${u.id}/role`, {
      body: { role: 'admin' },
      token: u.token,
    });
    expect(operatorChangesRole.status).toBe(403);
    expect(operatorChangesRole.body.error.code).toBe('role_not_allowed');
  });

  it('pages through every user once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 50; i++) {
      const r = await t.request(
        'GET',
        `/v1/users?limit=3${cursor ? `&starting_after=${cursor}` : ''}`,
        { token: adminToken },
      );
      seen.push(...r.body.data.map((u: { id: string }) => u.id));
      cursor = r.body.next_cursor;
      if (!r.body.has_more) break;
    }
    expect(seen.length).toBe(await count('users'));
    expect(new Set(seen).size).toBe(seen.length);
    const byRole = await t.request('GET', '/v1/users?role=admin', { token: adminToken });
    expect(byRole.body.data.map((u: { email: string }) => u.email)).toEqual(['root@example.com']);
  });

  it('refuses to demote the last admin', async () => {
    const me = await t.request('GET', '/v1/me', { token: adminToken });
    const r = await t.request('POST', `/v1/users/${me.body.id}/role`, {
      body: { role: 'user' },
      token: adminToken,
    });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('last_admin');
  });

  it('answers a role change for an unknown user with 404', async () => {
    const r = await t.request('POST', '/v1/users/usr_01JD7Q4Z8R3M5N6P7Q8R9S0T1V/role', {
      body: { role: 'operator' },
      token: adminToken,
    });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('user_not_found');
  });

  it('needs users:write on an admin key to change roles', async () => {
    const key = await t.request('POST', '/v1/api_keys', {
      body: { name: 'read only', scopes: ['users:read'] },
      token: adminToken,
    });
    const someone = await userWithToken('target@example.com');
    const r = await t.request('POST', `/v1/users/${someone.id}/role`, {
      body: { role: 'merchant' },
      token: key.body.secret,
    });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('scope_missing');
  });
});

describe('password change', () => {
  it('signs out every other session and keeps the current one', async () => {
    const u = await userWithToken('changer@example.com');
    const other = await logIn('changer@example.com');
    const r = await t.request('POST', '/v1/me/password', {
      body: { current_password: PW, new_password: 'an entirely new passphrase' },
      token: u.token,
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ object: 'password_change', revoked_sessions: 1 });
    expect((await t.request('GET', '/v1/me', { token: other })).status).toBe(401);
    expect((await t.request('GET', '/v1/me', { token: u.token })).status).toBe(200);
    const old = await t.request('POST', '/v1/sessions', {
      body: { email: 'changer@example.com', password: PW },
    });
    expect(old.status).toBe(401);
    await logIn('changer@example.com', 'an entirely new passphrase');
  });

  it('refuses a wrong current password and a weak new one', async () => {
    const u = await userWithToken('careful@example.com');
    const wrong = await t.request('POST', '/v1/me/password', {
      body: { current_password: 'not my password!', new_password: 'another good passphrase' },
      token: u.token,
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error).toMatchObject({
      code: 'current_password_incorrect',
      param: 'current_password',
    });
    const weak = await t.request('POST', '/v1/me/password', {
      body: { current_password: PW, new_password: 'short' },
      token: u.token,
    });
    expect(weak.status).toBe(400);
    expect(weak.body.error).toMatchObject({ code: 'password_weak', param: 'new_password' });
    await logIn('careful@example.com');
  });
});

describe('handle', () => {
  const patchMe = (token: string, body: unknown) => t.request('PATCH', '/v1/me', { body, token });

  it('is set, then changed, by its owner; the old one is free again', async () => {
    const u = await userWithToken('handle-owner@example.com');
    expect((await patchMe(u.token, { handle: 'First_Name' })).body).toMatchObject({
      id: u.id,
      handle: 'first_name',
    });
    const changed = await patchMe(u.token, { handle: 'second' });
    expect(changed.status, changed.text).toBe(200);
    expect((await t.request('GET', '/v1/me', { token: u.token })).body.handle).toBe('second');
    const other = await userWithToken('handle-next@example.com');
    expect((await patchMe(other.token, { handle: 'first_name' })).status).toBe(200);
    // Setting the handle one already has is not a conflict.
    expect((await patchMe(u.token, { handle: 'SECOND' })).status).toBe(200);
  });

  it("refuses another user's handle (any case) and an invalid one, changing nothing", async () => {
    const owner = await userWithToken('handle-taken@example.com');
    expect((await patchMe(owner.token, { handle: 'taken_one' })).status).toBe(200);
    const u = await userWithToken('handle-wants@example.com');
    expect((await patchMe(u.token, { handle: 'mine' })).status).toBe(200);

    const taken = await patchMe(u.token, { handle: 'Taken_One' });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({ code: 'handle_taken', param: 'handle' });
    for (const handle of ['ab', 'has space', 'x'.repeat(31), 'émile']) {
      const bad = await patchMe(u.token, { handle });
      expect(bad.status, handle).toBe(400);
      expect(bad.body.error).toMatchObject({ type: 'invalid_request_error', param: 'handle' });
    }
    expect((await patchMe(u.token, {})).status).toBe(400);
    expect((await t.request('GET', '/v1/me', { token: u.token })).body.handle).toBe('mine');
  });

  it('goes to exactly one of several users claiming it at once', async () => {
    const users = await Promise.all(
      [1, 2, 3, 4].map((i) => userWithToken(`handle-race-${i}@example.com`)),
    );
    const answers = await Promise.all(users.map((u) => patchMe(u.token, { handle: 'raced' })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409]);
  });
});

describe('TOTP second factor', () => {
  const email = 'totp@example.com';
  let token: string;
  let secret: Buffer;
  const code = (offsetSteps = 0) => totp(secret, clock + offsetSteps * 30_000);

  it('enrols with a secret and an otpauth URI, stored sealed', async () => {
    token = (await userWithToken(email)).token;
    const r = await t.request('POST', '/v1/me/totp', { token });
    expect(r.status).toBe(201);
    expect(r.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(r.body.otpauth_uri).toContain(`secret=${r.body.secret}`);
    expect(r.body.otpauth_uri).toMatch(/^otpauth:\/\/totp\/Vaultwire:totp%40example\.com\?/);
    secret = base32Decode(r.body.secret);
    const { rows } = await t.vw.db.query<{ secret_sealed: string }>(
      'SELECT secret_sealed FROM totp_factors f JOIN users u ON u.id = f.user_id WHERE u.email = $1',
      [email],
    );
    expect(rows[0]?.secret_sealed).toMatch(/^v1\./);
    expect(rows[0]?.secret_sealed).not.toContain(r.body.secret);
    // Not on yet: login needs no code.
    await logIn(email);
  });

  it('turns on with a valid code only, and hands out recovery codes', async () => {
    const wrong = await t.request('POST', '/v1/me/totp/confirm', {
      body: { code: code() === '000000' ? '111111' : '000000' },
      token,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('totp_invalid');
    const r = await t.request('POST', '/v1/me/totp/confirm', { body: { code: code() }, token });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ object: 'totp', enabled: true });
    expect(r.body.recovery_codes).toHaveLength(10);
    recoveryCodes = r.body.recovery_codes;
    expect((await t.request('GET', '/v1/me', { token })).body.totp_enabled).toBe(true);
    const again = await t.request('POST', '/v1/me/totp', { token });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('totp_already_enabled');
  });

  let recoveryCodes: string[] = [];

  it('requires the code at login, refuses a wrong or replayed one', async () => {
    const none = await t.request('POST', '/v1/sessions', { body: { email, password: PW } });
    expect(none.status).toBe(401);
    expect(none.body.error).toMatchObject({ code: 'totp_required', param: 'totp_code' });

    const wrongPassword = await t.request('POST', '/v1/sessions', {
      body: { email, password: 'wrong password here', totp_code: code(1) },
    });
    expect(wrongPassword.body.error.code).toBe('invalid_login');

    // The confirm used this step's code: it cannot log in again.
    const replay = await t.request('POST', '/v1/sessions', {
      body: { email, password: PW, totp_code: code() },
    });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('totp_invalid');

    clock += 30_000;
    await logIn(email, PW, { totp_code: code() });
    const replayed = await t.request('POST', '/v1/sessions', {
      body: { email, password: PW, totp_code: code() },
    });
    expect(replayed.status).toBe(401);
    expect(replayed.body.error.code).toBe('totp_invalid');

    const tooOld = await t.request('POST', '/v1/sessions', {
      body: { email, password: PW, totp_code: code(-2) },
    });
    expect(tooOld.body.error.code).toBe('totp_invalid');

    clock += 30_000;
    await logIn(email, PW, { totp_code: code() });
  });

  it('accepts each recovery code once', async () => {
    const [first] = recoveryCodes;
    await logIn(email, PW, { recovery_code: first?.toUpperCase() });
    const again = await t.request('POST', '/v1/sessions', {
      body: { email, password: PW, recovery_code: first },
    });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('totp_invalid');
  });

  it('turns off with a current code only', async () => {
    clock += 30_000;
    const wrong = await t.request('POST', '/v1/me/totp/disable', {
      body: { code: code() === '123456' ? '654321' : '123456' },
      token,
    });
    expect(wrong.status).toBe(401);
    const r = await t.request('POST', '/v1/me/totp/disable', { body: { code: code() }, token });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ enabled: false });
    await logIn(email);
  });
});

describe('login rate limit', () => {
  it('answers 429 with Retry-After per IP and email, leaving other emails alone', async () => {
    const limited = await createTestApp({ VW_RATE_LIMIT_LOGIN_PER_MIN: '3' });
    try {
      const attempt = (email: string) =>
        limited.request('POST', '/v1/sessions', {
          body: { email, password: 'wrong password here' },
        });
      for (let i = 0; i < 3; i++) expect((await attempt('victim@example.com')).status).toBe(401);
      const r = await attempt('victim@example.com');
      expect(r.status).toBe(429);
      expect(r.body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limited' });
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await attempt('someone-else@example.com')).status).toBe(401);
      const metrics = (await limited.request('GET', '/metrics')).text;
      expect(metrics).toMatch(/vaultwire_auth_logins_total\{[^}]*outcome="rate_limited"[^}]*\} 1/);
      expect(metrics).toMatch(/vaultwire_auth_logins_total\{[^}]*outcome="invalid_login"[^}]*\} 4/);
    } finally {
      await limited.close();
    }
  });
});

describe('audit trail', () => {
  it('records the actions, keeps secrets out, and verifies', async () => {
    const r = await t.request('GET', '/v1/audit_events?limit=100', { token: adminToken });
    expect(r.status).toBe(200);
    const actions = new Set(r.body.data.map((e: { action: string }) => e.action));
    for (const action of [
      'admin.created',
      'user.signed_up',
      'auth.login_succeeded',
      'auth.login_failed',
      'auth.logged_out',
      'user.password_changed',
      'user.role_changed',
      'api_key.created',
      'api_key.revoked',
      'totp.enabled',
      'totp.disabled',
    ]) {
      expect(actions, action).toContain(action);
    }
    const roleChange = r.body.data.find(
      (e: { action: string }) => e.action === 'user.role_changed',
    );
    expect(roleChange).toMatchObject({
      object: 'audit_event',
      actor: { type: 'user' },
      target: { type: 'user' },
      data: { from: expect.any(String), to: expect.any(String) },
    });
    expect(roleChange.hash).toMatch(/^[0-9a-f]{64}$/);

    const { rows } = await t.vw.db.query<{ all: string }>(
      'SELECT string_agg(data::text, \' \') AS "all" FROM audit_events',
    );
    const everything = rows[0]?.all ?? '';
    expect(everything).not.toContain(PW);
    expect(everything).not.toMatch(/vw[ks]_[0-9A-Za-z]{20}/);
    expect(everything).not.toContain('an entirely new passphrase');

    expect(await t.vw.audit.verify()).toMatchObject({ ok: true });
  });

  it('is for admins only', async () => {
    const u = await userWithToken('curious@example.com');
    const r = await t.request('GET', '/v1/audit_events', { token: u.token });
    expect(r.status).toBe(403);
  });

  it('describes the routes in the OpenAPI document with their access rules', async () => {
    const doc = (await t.request('GET', '/openapi.json')).body;
    expect(doc.paths['/v1/users'].post.security).toEqual([]);
    expect(doc.paths['/v1/users'].get.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/v1/users'].get.description).toContain('Scope: `users:read`');
    expect(doc.paths['/v1/api_keys/{id}/revoke'].post).toBeDefined();
    expect(doc.paths['/v1/audit_events'].get).toBeDefined();
  });
});

describe('fuzz with real credentials', () => {
  it('never answers 5xx on any identity or audit route, whatever the input', async () => {
    const fuzzAdmin = 'fuzz-admin@example.com';
    await t.vw.identity.createAdmin({ email: fuzzAdmin, password: PW }, SYSTEM);
    const session = await logIn(fuzzAdmin);
    const key = (
      await t.request('POST', '/v1/api_keys', {
        body: { name: 'fuzz', scopes: ['*'] },
        token: session,
      })
    ).body.secret as string;
    const doc = (await t.request('GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.entries(doc.paths)
      .filter(([path]) => /^\/v1\/(users|sessions|me|api_keys|scopes|audit_events)/.test(path))
      .flatMap(([path, item]) => Object.keys(item).map((m) => ({ method: m.toUpperCase(), path })))
      // Logging out would end the fuzz's own session.
      .filter((op) => !(op.method === 'DELETE' && op.path === '/v1/sessions/current'));
    expect(operations.length).toBeGreaterThan(15);

    const str = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.constantFrom('\u0000', 'usr_\u0000', '*', 'profile:read', 'admin', '123456', PW),
    );
    const bodies = fc.oneof(
      fc.json(),
      fc
        .record(
          {
            email: fc.oneof(str, fc.emailAddress()),
            password: str,
            handle: str,
            role: str,
            name: str,
            scopes: fc.array(str, { maxLength: 4 }),
            expires_at: fc.oneof(
              str,
              fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
            ),
            code: str,
            totp_code: str,
            recovery_code: str,
            current_password: str,
            new_password: str,
          },
          { requiredKeys: [] },
        )
        .map((o) => JSON.stringify(o)),
    );
    const segment = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('usr_01JD7Q4Z8R3M5N6P7Q8R9S0T1V', 'key_\u0000', '%00', "' OR 1=1 --", '💸'),
    );
    const query = fc.oneof(
      fc.constantFrom('', '?limit=0', '?limit=101', '?role=root', '?starting_after=usr_%00'),
      fc.string({ maxLength: 30 }).map((s) => `?starting_after=${encodeURIComponent(s)}`),
      fc.string({ maxLength: 30 }).map((s) => `?email=${encodeURIComponent(s)}`),
      fc.string({ maxLength: 30 }).map((s) => `?action=${encodeURIComponent(s)}&actor_id=x`),
    );

    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        bodies,
        segment,
        fc.boolean(),
        query,
        async (pick, body, seg, useKey, q) => {
          const op = operations[pick % operations.length];
          if (!op) return;
          const path = op.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(seg)) + q;
          const r = await t.request(op.method, path, {
            token: useKey ? key : session,
            ...(op.method === 'GET' || op.method === 'DELETE' ? {} : { rawBody: body }),
          });
          expect(r.status, `${op.method} ${path} ${body} -> ${r.text}`).toBeLessThan(500);
          if (r.status >= 400) {
            expect(r.body.error).toMatchObject({
              type: expect.any(String),
              code: expect.any(String),
              message: expect.any(String),
            });
          }
        },
      ),
      { numRuns: 400 },
    );
    expect((await t.vw.audit.verify()).ok).toBe(true);
  });
});

/** Repeats a request until it is refused (401), for at most two seconds. */
async function untilRefused(
  send: () => Promise<{ status: number; body: { error: { code: string } } }>,
) {
  const until = Date.now() + 2_000;
  for (;;) {
    const r = await send();
    if (r.status === 401 || Date.now() > until) return r;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
