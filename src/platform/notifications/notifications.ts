import type { Db } from '../db/db.js';
import { newId } from '../ids.js';
import type { Mailer } from '../mail/mailer.js';
import type { Logger } from '../observability/logger.js';
import { defineQueue, type JobQueue } from '../queue/queue.js';

/**
 * Notices to a user about their own account — an endpoint of theirs disabled, say — that
 * must reach them even when nothing else of theirs would carry it. Each notice is a row
 * the user lists (`GET /v1/notifications`) and, when SMTP is configured, an email.
 *
 * `notify` joins the caller's transaction: the notice exists exactly when the change it
 * reports commits, and so does the job that emails it. The email goes from a job
 * (retried with the queue's back-off while the SMTP server is down), at least once:
 * `emailed_at` is set after the server accepted it, so only a crash between the two
 * sends it twice.
 *
 * @example
 * await db.transaction(async () => {
 *   await disableEndpoint(id);
 *   await notifications.notify({ ownerId, type: 'webhook_endpoint.disabled',
 *     subject: 'Your webhook endpoint was disabled', text: '…', data: { endpoint_id: id } });
 * });
 */
export interface Notifications {
  notify(notice: NewNotification): Promise<Notification>;
  /** The owner's notices, oldest first, by id cursor. */
  list(ownerId: string, page: { limit: number; startingAfter?: string }): Promise<Notification[]>;
}

export interface NewNotification {
  /** The user it is for. */
  ownerId: string;
  /** What it is about, `object.event` (`webhook_endpoint.disabled`). */
  type: string;
  subject: string;
  /** Plain text a person reads: what happened, why, and what to do. */
  text: string;
  /** Ids and fields a program reads. */
  data: Record<string, unknown>;
}

export interface Notification extends NewNotification {
  id: string;
  /** When the SMTP server accepted the email; null without SMTP or until then. */
  emailedAt: Date | null;
  createdAt: Date;
}

/** Where a user's email address comes from (the identity module, at wiring). */
export type ContactLookup = (userId: string) => Promise<{ email: string } | undefined>;

export const NOTIFICATION_EMAIL_QUEUE = defineQueue<{ notificationId: string }>(
  'notifications.email',
);

export const NOTIFICATION_SCOPES = {
  'notifications:read': 'Read notices about your account (an endpoint disabled, …)',
} as const satisfies Record<string, string>;

interface NotificationRow {
  id: string;
  owner_id: string;
  type: string;
  subject: string;
  text: string;
  data: Record<string, unknown>;
  emailed_at: Date | null;
  created_at: Date;
}

const COLUMNS = 'id, owner_id, type, subject, text, data, emailed_at, created_at';

const toNotification = (r: NotificationRow): Notification => ({
  id: r.id,
  ownerId: r.owner_id,
  type: r.type,
  subject: r.subject,
  text: r.text,
  data: r.data,
  emailedAt: r.emailed_at,
  createdAt: r.created_at,
});

export function createNotifications(deps: {
  db: Db;
  jobs: Pick<JobQueue, 'enqueue' | 'register'>;
  mailer: Mailer;
  contacts: ContactLookup;
  logger: Logger;
}): Notifications {
  const { db, mailer } = deps;
  const log = deps.logger.child({ module: 'notifications' });

  // Network-bound, so not transactional: the row is read and marked in statements of
  // its own around the send.
  deps.jobs.register(
    NOTIFICATION_EMAIL_QUEUE,
    async (job) => {
      const { rows } = await db.query<NotificationRow>(
        `SELECT ${COLUMNS} FROM notifications WHERE id = $1`,
        [job.payload.notificationId],
      );
      const n = rows[0];
      if (!n || n.emailed_at !== null) return;
      const contact = await deps.contacts(n.owner_id);
      if (!contact) {
        log.warn({ notificationId: n.id, ownerId: n.owner_id }, 'no email address: not emailed');
        return;
      }
      await mailer.send({ to: [contact.email], subject: n.subject, text: n.text });
      await db.query('UPDATE notifications SET emailed_at = now() WHERE id = $1', [n.id]);
      log.info({ notificationId: n.id, type: n.type }, 'notification emailed');
    },
    { transactional: false },
  );

  return {
    async notify(notice) {
      return db.transaction(async () => {
        const { rows } = await db.query<NotificationRow>(
          `INSERT INTO notifications (id, owner_id, type, subject, text, data)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
          [
            newId('ntf'),
            notice.ownerId,
            notice.type,
            notice.subject,
            notice.text,
            JSON.stringify(notice.data),
          ],
        );
        const row = rows[0];
        if (!row) throw new Error('notification not inserted');
        // Without SMTP the notice is listed only: no job that could never succeed.
        if (mailer.enabled) {
          await deps.jobs.enqueue(NOTIFICATION_EMAIL_QUEUE, { notificationId: row.id });
        }
        return toNotification(row);
      });
    },

    async list(ownerId, page) {
      const { rows } = await db.query<NotificationRow>(
        `SELECT ${COLUMNS} FROM notifications
          WHERE owner_id = $1 AND ($2::text IS NULL OR id > $2)
          ORDER BY id LIMIT $3`,
        [ownerId, page.startingAfter ?? null, page.limit],
      );
      return rows.map(toNotification);
    },
  };
}
