import type { Mailer } from '../platform/mail/mailer.js';
import type { Alert, NoticeKind } from './alerts.js';
import type { HttpClient } from './http.js';
import type { ChannelKind } from './settings.js';

/**
 * Sends one notice to one channel, in each service's own API:
 * - Telegram Bot API `POST /bot<token>/sendMessage` `{ chat_id, text }` → `{ ok, result }`;
 * - Slack incoming webhook `POST <webhook URL>` `{ text }` → `ok`;
 * - email through the platform mailer (SMTP);
 * - PagerDuty Events API v2 `POST /v2/enqueue` `{ routing_key, event_action, dedup_key,
 *   payload }` → 202 `{ status: "success", dedup_key }`, deduplicated by the alert id.
 * Errors name the service and its answer, never the secret (a bot token sits in the URL).
 */
export interface ChannelTarget {
  id: string;
  kind: ChannelKind;
  settings: Record<string, unknown>;
  /** The unsealed secret: bot token, webhook URL or routing key. */
  secret: string | undefined;
}

export interface OutgoingNotice {
  kind: NoticeKind;
  text: string;
  alert: Alert;
}

export class ChannelError extends Error {
  override name = 'ChannelError';
}

export function createChannelSender(deps: { http: HttpClient; mailer: Mailer }) {
  const { http } = deps;
  return async function send(target: ChannelTarget, notice: OutgoingNotice): Promise<void> {
    switch (target.kind) {
      case 'telegram': {
        const base = String(target.settings['api_url']).replace(/\/+$/, '');
        const r = await http
          .call(`${base}/bot${target.secret ?? ''}/sendMessage`, {
            body: {
              chat_id: target.settings['chat_id'],
              text: notice.text,
              disable_web_page_preview: true,
            },
          })
          .catch((err: unknown) => {
            throw new ChannelError(`Telegram unreachable: ${(err as Error).name}`);
          });
        const body = r.json as { ok?: boolean; description?: string } | undefined;
        if (r.status !== 200 || body?.ok !== true) {
          throw new ChannelError(
            `Telegram answered ${r.status}: ${body?.description ?? 'no description'}`,
          );
        }
        return;
      }
      case 'slack': {
        const r = await http
          .call(target.secret ?? '', { body: { text: notice.text } })
          .catch((err: unknown) => {
            throw new ChannelError(`Slack unreachable: ${(err as Error).name}`);
          });
        if (r.status !== 200)
          throw new ChannelError(`Slack answered ${r.status}: ${r.text.slice(0, 200)}`);
        return;
      }
      case 'email': {
        if (!deps.mailer.enabled) throw new ChannelError('no SMTP server configured (VW_SMTP_URL)');
        const to = target.settings['to'] as string[];
        await deps.mailer.send({ to, subject: subjectOf(notice), text: notice.text });
        return;
      }
      case 'pagerduty': {
        const a = notice.alert;
        const r = await http
          .call(String(target.settings['events_url']), {
            body: {
              routing_key: target.secret,
              event_action: notice.kind === 'resolved' ? 'resolve' : 'trigger',
              dedup_key: a.id,
              payload: {
                summary: notice.text.split('\n')[0]?.slice(0, 1024),
                source: a.node ?? a.monitor ?? `${a.producerChain ?? '?'} producer`,
                severity: a.severity === 'critical' ? 'critical' : 'warning',
                component: a.chain ?? undefined,
                group: a.region ?? undefined,
                class: a.kind,
                custom_details: { ...a.details, alert_id: a.id, notice: notice.kind },
              },
            },
          })
          .catch((err: unknown) => {
            throw new ChannelError(`PagerDuty unreachable: ${(err as Error).name}`);
          });
        const body = r.json as { status?: string; message?: string } | undefined;
        if (r.status !== 202 || body?.status !== 'success') {
          throw new ChannelError(
            `PagerDuty answered ${r.status}: ${body?.message ?? r.text.slice(0, 200)}`,
          );
        }
        return;
      }
    }
  };
}

export type ChannelSender = ReturnType<typeof createChannelSender>;

const ICON: Record<NoticeKind, string> = {
  opened: 'FIRING',
  reminder: 'STILL FIRING',
  banned: 'BANNED',
  unbanned: 'UNBANNED',
  resolved: 'RESOLVED',
};

/**
 * What an alert is about: `chain/node`, a monitor's name (after its chain, if any), or
 * `chain/producer` for a chain's block producer.
 */
export function alertSubject(a: Alert): string {
  const name = a.node ?? a.monitor ?? (a.producerChain !== null ? 'producer' : '?');
  return a.chain === null ? name : `${a.chain}/${name}`;
}

export function subjectOf(n: OutgoingNotice): string {
  return `[${ICON[n.kind]}] ${alertSubject(n.alert)}: ${n.alert.kind}`;
}

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** The text a person reads, the same on every channel. */
export function noticeText(kind: NoticeKind, a: Alert, now: Date, extra?: string): string {
  // A producer alert names its regions in its summary (a failover has two).
  const where =
    a.nodeId !== null
      ? `${alertSubject(a)} (${a.region ?? '?'}, ${a.role ?? '?'})`
      : a.producerChain !== null || a.region === null
        ? alertSubject(a)
        : `${alertSubject(a)} (${a.region})`;
  switch (kind) {
    case 'opened':
      return `[FIRING ${a.severity}] ${where}: ${a.summary}\nAlert ${a.id}, since ${a.openedAt.toISOString()}`;
    case 'reminder':
      return `[STILL FIRING ${a.severity}] ${where}: ${a.summary}\nAlert ${a.id}, open for ${duration(now.getTime() - a.openedAt.getTime())}`;
    case 'banned':
      return `[BANNED] ${where}: out of consensus for ${duration(now.getTime() - a.openedAt.getTime())} (${a.kind}); the node is banned. ${extra ?? ''}`.trim();
    case 'unbanned':
      return `[UNBANNED] ${where}: ${extra ?? 'back in consensus'}`;
    case 'resolved':
      return `[RESOLVED] ${where}: ${a.kind} cleared after ${duration((a.resolvedAt ?? now).getTime() - a.openedAt.getTime())}\nWas: ${a.summary}\nAlert ${a.id}`;
  }
}
