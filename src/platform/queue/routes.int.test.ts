import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { user } from '../../../test/fixtures/merchants/setup.js';
import { createTestApp, type TestApp } from '../../../test/support/app.js';
import { PermanentJobError } from './queue.js';

/**
 * The operators' view of the job queues: depth per queue and state with the outbox
 * backlog, dead jobs without their payloads, and retrying one (once, audited). Only
 * operators and admins.
 */
describe('the job queue operator API', () => {
  let t: TestApp;
  let healthy = false;
  const ran: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    t.vw.jobs.register<{ card: string }>('ops-test.q', (job) => {
      if (!healthy) throw new PermanentJobError('the receiving bank said no');
      ran.push(job.id);
      return Promise.resolve();
    });
  });

  afterAll(async () => {
    await t.close();
  });

  it('lists queues and dead jobs, retries one once, and refuses non-operators', async () => {
    const { id } = await t.vw.jobs.enqueue(
      'ops-test.q',
      { card: '4111 1111 1111 1111' },
      { maxAttempts: 1 },
    );
    await t.vw.jobs.runDue({ queues: ['ops-test.q'] });
    const op = await user(t, 'op@example.com', 'operator');
    const person = await user(t, 'someone@example.com');

    for (const [method, path] of [
      ['GET', '/v1/ops/queues'],
      ['GET', '/v1/ops/jobs/dead'],
      ['POST', `/v1/ops/jobs/${id}/retry`],
    ] as const) {
      const refused = await t.request(method, path, { token: person.token });
      expect(refused.status, `${method} ${path}`).toBe(403);
      expect(refused.body.error.type).toBe('permission_error');
    }

    const queues = await t.request('GET', '/v1/ops/queues', { token: op.token });
    expect(queues.status, queues.text).toBe(200);
    expect(queues.body.queues).toContainEqual(
      expect.objectContaining({ queue: 'ops-test.q', state: 'dead', count: 1 }),
    );
    expect(queues.body.outbox).toEqual({
      pending: expect.any(Number),
      oldest_age_seconds: expect.any(Number),
    });

    const dead = await t.request('GET', '/v1/ops/jobs/dead?queue=ops-test.q', { token: op.token });
    expect(dead.status, dead.text).toBe(200);
    expect(dead.body.data).toEqual([
      expect.objectContaining({
        id,
        queue: 'ops-test.q',
        state: 'dead',
        attempts: 1,
        // The message alone; the worker stored the whole stack.
        last_error: expect.stringMatching(/^\w*Error: the receiving bank said no$/),
      }),
    ]);
    // Payloads carry other people's data: never shown.
    expect(dead.text).not.toContain('4111');
    // The operator's session may retry, so it gets where the job failed: this file, named
    // from the install, never the server's absolute paths.
    const trace = String(dead.body.data[0].last_error_trace);
    expect(trace).toMatch(/^at .*src\/platform\/queue\/routes\.int\.test\.ts:\d+:\d+/m);
    expect(dead.text).not.toContain(process.cwd());
    expect(trace.split('\n').filter((frame) => /[\s(]\//.test(frame))).toEqual([]);
    // A key that may only read the queues gets the message and no frames.
    const readKey = await t.request('POST', '/v1/api_keys', {
      body: { name: 'queue watcher', scopes: ['jobs:read'] },
      token: op.token,
    });
    expect(readKey.status, readKey.text).toBe(201);
    const watched = await t.request('GET', '/v1/ops/jobs/dead?queue=ops-test.q', {
      token: readKey.body.secret,
    });
    expect(watched.status, watched.text).toBe(200);
    expect(watched.body.data[0]).toMatchObject({
      id,
      last_error: dead.body.data[0].last_error,
      last_error_trace: null,
    });
    const badCursor = await t.request('GET', '/v1/ops/jobs/dead?starting_after=usr_1', {
      token: op.token,
    });
    expect(badCursor.status).toBe(400);

    healthy = true;
    const retried = await t.request('POST', `/v1/ops/jobs/${id}/retry`, { token: op.token });
    expect(retried.status, retried.text).toBe(200);
    expect(retried.body).toMatchObject({ id, state: 'queued' });
    const again = await t.request('POST', `/v1/ops/jobs/${id}/retry`, { token: op.token });
    expect([again.status, again.body.error.code, again.body.error.param]).toEqual([
      409,
      'job_not_dead',
      'id',
    ]);
    const missing = await t.request('POST', '/v1/ops/jobs/job_nope/retry', { token: op.token });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'job_not_found']);

    await t.vw.jobs.runDue({ queues: ['ops-test.q'] });
    expect(ran).toEqual([id]);
    expect((await t.vw.jobs.get(id))?.state).toBe('done');
    const empty = await t.request('GET', '/v1/ops/jobs/dead?queue=ops-test.q', {
      token: op.token,
    });
    expect(empty.body.data).toEqual([]);

    const { rows } = await t.vw.db.query<{ actor_id: string; target_id: string }>(
      "SELECT actor_id, target_id FROM audit_events WHERE action = 'job.retried'",
    );
    expect(rows).toEqual([{ actor_id: op.id, target_id: id }]);
  });
});
