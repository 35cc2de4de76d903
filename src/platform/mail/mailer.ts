import nodemailer from 'nodemailer';
import { networkCall } from '../db/network-guard.js';

/**
 * Email out, behind one small interface so a module that notifies people (webhook endpoint
 * disabled, a node out of consensus) neither knows SMTP nor cares whether mail is set up.
 */
export interface MailMessage {
  to: readonly string[];
  subject: string;
  /** Plain text: what a person reads. */
  text: string;
}

export interface Mailer {
  /** False when no SMTP server is configured: `send` then refuses. */
  readonly enabled: boolean;
  /** Resolves once the SMTP server has accepted the message for every recipient. */
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export interface SmtpMailerOptions {
  /**
   * `smtp://user:pass@host:port` (STARTTLS when the server offers it) or `smtps://…`
   * (TLS from the first byte). The operator's own server: it is configuration, not a URL a
   * user sets, so it is not behind the SSRF guard.
   */
  url: string;
  /** The From address, e.g. `Vaultwire <alerts@example.com>`. */
  from: string;
  /** Gives up on a server that does not answer (ms). */
  timeoutMs?: number;
}

export class MailError extends Error {
  override name = 'MailError';
}

/** A mailer over SMTP (nodemailer), one pooled connection reused between messages. */
export function createSmtpMailer(options: SmtpMailerOptions): Mailer {
  const timeout = options.timeoutMs ?? 10_000;
  const transport = nodemailer.createTransport(
    {
      url: options.url,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    },
    { from: options.from },
  );
  return {
    enabled: true,
    async send(message) {
      if (message.to.length === 0) throw new MailError('a message needs at least one recipient');
      networkCall(`smtp send to ${message.to.length} recipient(s)`);
      const info = await transport.sendMail({
        to: [...message.to],
        subject: message.subject,
        text: message.text,
      });
      // nodemailer resolves even when the server refused some recipients.
      if (info.rejected.length > 0) {
        throw new MailError(`the SMTP server refused ${info.rejected.length} recipient(s)`);
      }
    },
    close() {
      transport.close();
    },
  };
}

/** The mailer when no SMTP server is configured. */
export const noMailer: Mailer = {
  enabled: false,
  send() {
    return Promise.reject(new MailError('no SMTP server is configured (VW_SMTP_URL)'));
  },
  close() {},
};
