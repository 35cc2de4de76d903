import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';
import { runWebhooksDeadLetters, runWebhooksReplay, runWebhooksStatus } from './cli.js';
import { isFailure } from '../platform/failure.js';

let t: TestApp;
let endpointId: string;
const lines: string[] = [];
const errors: string[] = [];
const io = {
  out: (l: string) => {
    lines.push(l);
  },
  err: (l: string) => {
    errors.push(l);
  },
};

beforeAll(async () => {
  t = await createTestApp({ VW_WEBHOOK_SSRF_ALLOW: '127.0.0.1/32' });
  const r = await t.vw.webhooks.endpoints.create(
    { userId: 'usr_cli_test', staff: false },
    { url: 'http://127.0.0.1:9/hook', eventTypes: ['payment.completed'] },
  );
  if (isFailure(r)) throw new Error(r.code);
  endpointId = r.endpoint.id;
  await t.vw.webhooks.ingest.createMessages([
    {
      endpointId,
      eventId: 'evt_cli_1',
      eventType: 'payment.completed',
      body: '{"id":"evt_cli_1"}',
    },
  ]);
  // As if every attempt had failed: a dead letter.
  await t.vw.db.query(
    `UPDATE webhook_messages SET state = 'failed', attempts = 10, last_status = 500 WHERE endpoint_id = $1`,
    [endpointId],
  );
});
afterAll(async () => {
  await t.close();
});

describe('vaultwire webhooks commands', () => {
  it('show endpoint status and dead letters, and replay them', async () => {
    expect(await runWebhooksStatus(t.vw.webhooks, io, {})).toBe(0);
    expect(lines.join('\n')).toContain(endpointId);
    expect(lines.join('\n')).toContain('failed 2'); // the ping and the event

    lines.length = 0;
    expect(
      await runWebhooksDeadLetters(t.vw.webhooks, io, { endpoint: endpointId, limit: 10 }),
    ).toBe(0);
    expect(lines.filter((l) => l.startsWith('msg_'))).toHaveLength(2);

    lines.length = 0;
    expect(await runWebhooksReplay(t.vw.webhooks, io, { endpoint: endpointId })).toBe(2);
    expect(
      await runWebhooksReplay(t.vw.webhooks, io, {
        endpoint: endpointId,
        since: new Date(Date.now() - 60_000),
        until: new Date(Date.now() + 60_000),
        onlyFailed: true,
      }),
    ).toBe(0);
    expect(lines.at(-1)).toBe(`2 message(s) put back for delivery to ${endpointId}`);
    // --only-failed alone: every dead letter (none left: both were just put back).
    expect(
      await runWebhooksReplay(t.vw.webhooks, io, { endpoint: endpointId, onlyFailed: true }),
    ).toBe(0);
    expect(lines.at(-1)).toBe(`0 message(s) put back for delivery to ${endpointId}`);
    const { rows } = await t.vw.db.query<{ state: string }>(
      'SELECT state FROM webhook_messages WHERE endpoint_id = $1',
      [endpointId],
    );
    expect(rows.map((r) => r.state)).toEqual(['pending', 'pending']);
    expect(await runWebhooksStatus(t.vw.webhooks, io, { endpoint: 'whe_nope' })).toBe(1);
    expect(errors.at(-1)).toContain('whe_nope');
  });
});
