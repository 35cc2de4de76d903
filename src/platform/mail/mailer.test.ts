import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSmtp, type LocalSmtp } from '../../../test/support/smtp.js';
import { createSmtpMailer, noMailer } from './mailer.js';

let smtp: LocalSmtp;

beforeAll(async () => {
  smtp = await startLocalSmtp();
});

afterAll(async () => {
  await smtp.close();
});

describe('SMTP mailer', () => {
  it('delivers the subject and text a person reads to every recipient', async () => {
    const mailer = createSmtpMailer({ url: smtp.url, from: 'Vaultwire <alerts@vaultwire.test>' });
    try {
      await mailer.send({
        to: ['ops@example.test', 'oncall@example.test'],
        subject: 'Webhook endpoint disabled',
        text: 'Endpoint we_1 was disabled after 5 days of failures.',
      });
    } finally {
      mailer.close();
    }
    const [mail] = await smtp.waitFor(1);
    expect(mail).toEqual({
      from: 'alerts@vaultwire.test',
      to: ['ops@example.test', 'oncall@example.test'],
      subject: 'Webhook endpoint disabled',
      text: 'Endpoint we_1 was disabled after 5 days of failures.\n',
    });
  });

  it('fails loudly, not silently, when no server answers or none is configured', async () => {
    const mailer = createSmtpMailer({
      url: 'smtp://127.0.0.1:9',
      from: 'alerts@vaultwire.test',
      timeoutMs: 2_000,
    });
    await expect(
      mailer.send({ to: ['ops@example.test'], subject: 's', text: 't' }),
    ).rejects.toThrow();
    mailer.close();
    expect(noMailer.enabled).toBe(false);
    await expect(noMailer.send({ to: ['a@b.test'], subject: 's', text: 't' })).rejects.toThrow(
      /VW_SMTP_URL/,
    );
  });
});
