import type { AuditLog } from '../../platform/audit/audit.js';
import type { SecretBox } from '../../platform/crypto/secret-box.js';
import { prepared, type Db } from '../../platform/db/db.js';
import { newId } from '../../platform/ids.js';
import type { NewNotification } from '../../platform/notifications/notifications.js';
import type { Outbox } from '../../platform/outbox/outbox.js';
import { recordChange } from '../changes.js';
import { fail, isFailure } from '../../platform/failure.js';
import { WebhookError, type WebhookFailure } from '../errors.js';
import type { EventTypes } from '../event-types.js';
import {
  ENDPOINT_COLUMNS,
  toEndpoint,
  type Caller,
  type Endpoint,
  type EndpointRow,
  type EndpointStatus,
} from '../model.js';
import { generateSecret } from '../signing/signing.js';
import { parseEndpointUrl, type SsrfGuard } from '../ssrf/ssrf.js';
import { secretContext } from './directory.js';

// The endpoint reads' statements: prepared, so PostgreSQL plans each once per connection.
const ENDPOINT_BY_ID = prepared(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1`);
const ENDPOINTS_PAGE = prepared(
  `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints
    WHERE ($1::text IS NULL OR owner_id = $1) AND ($2::text IS NULL OR id > $2)
    ORDER BY id LIMIT $3`,
);

/**
 * Webhook endpoints: where a customer wants events, which ones, and the secret that
 * signs them. The secret is returned once, at creation and at rotation, and stored only
 * sealed by the secret box.
 *
 * @example
 * const r = await endpoints.create(caller, { url: 'https://example.com/hooks', eventTypes: ['address.activity'] });
 * const { endpoint, secret } = unwrap(r, webhookApiError); // at the HTTP edge
 * console.log(r.secret); // whsec_… shown once
 */

export interface EndpointService {
  create(
    caller: Caller,
    input: EndpointInput,
  ): Promise<{ endpoint: Endpoint; secret: string } | WebhookFailure>;
  get(caller: Caller, id: string): Promise<Endpoint | WebhookFailure>;
  list(caller: Caller, page: { limit: number; startingAfter?: string }): Promise<Endpoint[]>;
  update(
    caller: Caller,
    id: string,
    input: Partial<EndpointInput>,
  ): Promise<Endpoint | WebhookFailure>;
  /**
   * `paused`: deliveries wait (messages keep queueing); `disabled`: nothing is sent, new
   * events are recorded as `skipped` (and so are the messages waiting now); `active`:
   * resume, or re-enable a disabled endpoint. Re-enabling sends new events only: what was
   * skipped comes back through `recover`, when the owner asks.
   */
  setStatus(
    caller: Caller,
    id: string,
    status: 'active' | 'paused' | 'disabled',
  ): Promise<Endpoint | WebhookFailure>;
  remove(caller: Caller, id: string): Promise<true | WebhookFailure>;
  /**
   * A new secret; the current ones stay valid for `overlapSeconds` more (both sign every
   * delivery meanwhile), then expire.
   */
  rotateSecret(
    caller: Caller,
    id: string,
    overlapSeconds: number,
  ): Promise<{ secret: string; previousExpiresAt: Date } | WebhookFailure>;
  /**
   * Disables an endpoint for the system (410 Gone, days of failure): its waiting messages
   * become `skipped`, and its owner gets a notice (a notification, emailed when SMTP is
   * configured, and a `webhook.endpoint.disabled` event to their other endpoints).
   */
  disable(id: string, reason: string): Promise<boolean>;
}

export interface EndpointInput {
  url: string;
  eventTypes: string[];
  description?: string | null;
  ordered?: boolean;
  rateLimitPerSec?: number | null;
  maxInFlight?: number | null;
}

export interface EndpointSettings {
  allowHttp: boolean;
  maxEndpointsPerOwner: number;
  /** How long skipped messages are kept for recovery (the notice says so). */
  retentionDays: number;
}

/** The notice an owner reads when the system disabled their endpoint. */
export function disabledNotice(e: {
  id: string;
  url: string;
  reason: string;
  disabledAt: Date;
  retentionDays: number;
}): { subject: string; text: string } {
  const at = e.disabledAt.toISOString();
  return {
    subject: `Your webhook endpoint ${e.url} was disabled`,
    text: [
      `Vaultwire disabled your webhook endpoint ${e.id} (${e.url}) at ${at}.`,
      '',
      `Why: ${e.reason}.`,
      '',
      `While it is disabled, events for this endpoint are recorded but not sent. They are kept for ${e.retentionDays} days.`,
      '',
      'To receive events again, fix the receiver, then re-enable the endpoint:',
      `  POST /v1/webhook_endpoints/${e.id}/resume`,
      'Re-enabling sends new events only. To send the events recorded while it was disabled:',
      `  POST /v1/webhook_endpoints/${e.id}/recover with {"since": "${at}"}`,
    ].join('\n'),
  };
}

export function createEndpointService(deps: {
  db: Db;
  secretBox: SecretBox;
  audit: AuditLog;
  outbox: Pick<Outbox, 'publish'>;
  guard: SsrfGuard;
  eventTypes: Pick<EventTypes, 'isKnown'>;
  settings: EndpointSettings;
  /** Sends the creation ping (a `webhook.ping` message). */
  ping: (endpointId: string) => Promise<void>;
  /** Tells an owner something about their account (joins the caller's transaction). */
  notify: (notice: NewNotification) => Promise<unknown>;
}): EndpointService {
  const { db, audit } = deps;

  /**
   * Marks the endpoint disabled if its status is one of `from`, and turns its waiting
   * messages into `skipped`, so nothing of it waits to be sent at once when it is
   * re-enabled (the owner recovers them). A message in flight finishes its attempt; a
   * retry it schedules waits until the endpoint is enabled again. Reads the endpoint's
   * messages once: disabling is rare. In the caller's transaction.
   */
  const markDisabled = async (id: string, reason: string, from: readonly EndpointStatus[]) => {
    const { rows } = await db.query<EndpointRow>(
      `UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = $2,
              disabled_at = now(), updated_at = now()
        WHERE id = $1 AND status = ANY($3::text[]) RETURNING ${ENDPOINT_COLUMNS}`,
      [id, reason, from],
    );
    const row = rows[0];
    if (!row) return undefined;
    await db.query(
      `UPDATE webhook_messages SET state = 'skipped', claim = NULL, updated_at = now()
        WHERE endpoint_id = $1 AND state IN ('pending', 'queued')`,
      [id],
    );
    await recordChange(db, 'endpoint', id);
    return row;
  };

  const checkUrl = async (raw: string): Promise<{ url: string } | WebhookFailure> => {
    const url = parseEndpointUrl(raw, { allowHttp: deps.settings.allowHttp });
    if (isFailure(url)) {
      return fail(
        {
          url_invalid: WebhookError.UrlInvalid,
          url_not_https: WebhookError.UrlNotHttps,
          url_has_credentials: WebhookError.UrlHasCredentials,
        }[url.code],
      );
    }
    const checked = await deps.guard.check(url.hostname);
    if (!checked.ok) {
      return fail(
        checked.reason === 'unresolvable'
          ? WebhookError.UrlUnresolvable
          : WebhookError.UrlForbiddenAddress,
      );
    }
    return { url: url.toString() };
  };

  const checkTypes = (types: readonly string[]): WebhookFailure | undefined =>
    types.every((t) => deps.eventTypes.isKnown(t))
      ? undefined
      : fail(WebhookError.EventTypeUnknown);

  const owned = async (caller: Caller, id: string): Promise<EndpointRow | undefined> => {
    const { rows } = await db.query<EndpointRow>(ENDPOINT_BY_ID, [id]);
    const r = rows[0];
    return r && (caller.staff || r.owner_id === caller.userId) ? r : undefined;
  };

  const sealSecret = async (endpointId: string) => {
    const secret = generateSecret();
    const sealed = await deps.secretBox.encrypt(secret, secretContext(endpointId));
    return { secret, sealed };
  };

  return {
    async create(caller, input) {
      const typeError = checkTypes(input.eventTypes);
      if (typeError) return typeError;
      const checked = await checkUrl(input.url);
      if (isFailure(checked)) return checked;
      const url = checked.url;
      const id = newId('whe');
      const { secret, sealed } = await sealSecret(id);
      const created = await db.transaction(async () => {
        const { rows: count } = await db.query<{ n: bigint }>(
          'SELECT count(*) AS n FROM webhook_endpoints WHERE owner_id = $1',
          [caller.userId],
        );
        if (Number(count[0]?.n ?? 0n) >= deps.settings.maxEndpointsPerOwner) {
          return fail(WebhookError.EndpointLimitReached);
        }
        const { rows } = await db.query<EndpointRow>(
          `INSERT INTO webhook_endpoints (id, owner_id, owner_staff, url, description, event_types,
                                          ordered, rate_limit_per_sec, max_in_flight)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           RETURNING ${ENDPOINT_COLUMNS}`,
          [
            id,
            caller.userId,
            caller.staff,
            url,
            input.description ?? null,
            [...new Set(input.eventTypes)],
            input.ordered ?? false,
            input.rateLimitPerSec ?? null,
            input.maxInFlight ?? null,
          ],
        );
        await db.query(
          'INSERT INTO webhook_secrets (id, endpoint_id, secret_sealed) VALUES ($1, $2, $3)',
          [newId('whk'), id, sealed],
        );
        await recordChange(db, 'endpoint', id);
        await audit.record({
          action: 'webhook_endpoint.created',
          actorType: 'user',
          actorId: caller.userId,
          targetType: 'webhook_endpoint',
          targetId: id,
          data: { url, event_types: input.eventTypes },
        });
        const row = rows[0];
        if (!row) throw new Error('endpoint not inserted');
        return toEndpoint(row);
      });
      if (isFailure(created)) return created;
      await deps.ping(id);
      return { endpoint: created, secret };
    },

    async get(caller, id) {
      const r = await owned(caller, id);
      return r ? toEndpoint(r) : fail(WebhookError.EndpointNotFound);
    },

    async list(caller, page) {
      const { rows } = await db.query<EndpointRow>(ENDPOINTS_PAGE, [
        caller.staff ? null : caller.userId,
        page.startingAfter ?? null,
        page.limit,
      ]);
      return rows.map(toEndpoint);
    },

    async update(caller, id, input) {
      if (input.eventTypes) {
        const typeError = checkTypes(input.eventTypes);
        if (typeError) return typeError;
      }
      let url: string | undefined;
      if (input.url !== undefined) {
        const checked = await checkUrl(input.url);
        if (isFailure(checked)) return checked;
        url = checked.url;
      }
      return db.transaction(async () => {
        const r = await owned(caller, id);
        if (!r) return fail(WebhookError.EndpointNotFound);
        const { rows } = await db.query<EndpointRow>(
          `UPDATE webhook_endpoints SET
             url = coalesce($2, url),
             event_types = coalesce($3, event_types),
             description = CASE WHEN $4::boolean THEN $5 ELSE description END,
             ordered = coalesce($6, ordered),
             rate_limit_per_sec = CASE WHEN $7::boolean THEN $8 ELSE rate_limit_per_sec END,
             max_in_flight = CASE WHEN $9::boolean THEN $10 ELSE max_in_flight END,
             updated_at = now()
           WHERE id = $1 RETURNING ${ENDPOINT_COLUMNS}`,
          [
            id,
            url ?? null,
            input.eventTypes ? [...new Set(input.eventTypes)] : null,
            input.description !== undefined,
            input.description ?? null,
            input.ordered ?? null,
            input.rateLimitPerSec !== undefined,
            input.rateLimitPerSec ?? null,
            input.maxInFlight !== undefined,
            input.maxInFlight ?? null,
          ],
        );
        await recordChange(db, 'endpoint', id);
        await audit.record({
          action: 'webhook_endpoint.updated',
          actorType: 'user',
          actorId: caller.userId,
          targetType: 'webhook_endpoint',
          targetId: id,
          data: { fields: Object.keys(input) },
        });
        const row = rows[0];
        if (!row) throw new Error('endpoint vanished');
        return toEndpoint(row);
      });
    },

    async setStatus(caller, id, status) {
      return db.transaction(async () => {
        const r = await owned(caller, id);
        if (!r) return fail(WebhookError.EndpointNotFound);
        if (status === 'disabled') {
          const disabled = await markDisabled(id, 'disabled by its owner', ['active', 'paused']);
          // Already disabled: it stays as it was, with its first reason.
          if (!disabled) return toEndpoint(r);
          await audit.record({
            action: 'webhook_endpoint.disabled',
            actorType: 'user',
            actorId: caller.userId,
            targetType: 'webhook_endpoint',
            targetId: id,
            data: { reason: 'disabled by its owner' },
          });
          return toEndpoint(disabled);
        }
        const { rows } = await db.query<EndpointRow>(
          `UPDATE webhook_endpoints SET status = $2,
                  disabled_reason = CASE WHEN $2 = 'active' THEN NULL ELSE disabled_reason END,
                  disabled_at = CASE WHEN $2 = 'active' THEN NULL ELSE disabled_at END,
                  failing_since = CASE WHEN $2 = 'active' THEN NULL ELSE failing_since END,
                  updated_at = now()
            WHERE id = $1 RETURNING ${ENDPOINT_COLUMNS}`,
          [id, status],
        );
        await recordChange(db, 'endpoint', id);
        await audit.record({
          action:
            status === 'paused'
              ? 'webhook_endpoint.paused'
              : r.status === 'disabled'
                ? 'webhook_endpoint.enabled'
                : 'webhook_endpoint.resumed',
          actorType: 'user',
          actorId: caller.userId,
          targetType: 'webhook_endpoint',
          targetId: id,
        });
        const row = rows[0];
        if (!row) throw new Error('endpoint vanished');
        return toEndpoint(row);
      });
    },

    async remove(caller, id) {
      return db.transaction(async () => {
        const r = await owned(caller, id);
        if (!r) return fail(WebhookError.EndpointNotFound);
        await db.query('DELETE FROM webhook_endpoints WHERE id = $1', [id]);
        // Messages hold no foreign key (migration 0054): they go here, after the endpoint's
        // row. That DELETE waited for every statement creating messages for the endpoint
        // (each holds a KEY SHARE lock on its row), and the two below see what those
        // committed; any later one finds no endpoint and creates nothing.
        await db.query('DELETE FROM webhook_messages WHERE endpoint_id = $1', [id]);
        await db.query('DELETE FROM webhook_attempts WHERE endpoint_id = $1', [id]);
        await recordChange(db, 'endpoint', id);
        await audit.record({
          action: 'webhook_endpoint.deleted',
          actorType: 'user',
          actorId: caller.userId,
          targetType: 'webhook_endpoint',
          targetId: id,
          data: { url: r.url },
        });
        return true as const;
      });
    },

    async rotateSecret(caller, id, overlapSeconds) {
      const { secret, sealed } = await sealSecret(id);
      return db.transaction(async () => {
        const r = await owned(caller, id);
        if (!r) return fail(WebhookError.EndpointNotFound);
        const { rows } = await db.query<{ expires_at: Date }>(
          `UPDATE webhook_secrets SET expires_at = now() + $2 * interval '1 second'
            WHERE endpoint_id = $1 AND (expires_at IS NULL OR expires_at > now() + $2 * interval '1 second')
            RETURNING expires_at`,
          [id, overlapSeconds],
        );
        await db.query(
          'INSERT INTO webhook_secrets (id, endpoint_id, secret_sealed) VALUES ($1, $2, $3)',
          [newId('whk'), id, sealed],
        );
        await db.query(
          `DELETE FROM webhook_secrets WHERE endpoint_id = $1 AND expires_at < now() - interval '1 day'`,
          [id],
        );
        await recordChange(db, 'endpoint', id);
        await audit.record({
          action: 'webhook_endpoint.secret_rotated',
          actorType: 'user',
          actorId: caller.userId,
          targetType: 'webhook_endpoint',
          targetId: id,
          data: { overlap_seconds: overlapSeconds },
        });
        const { rows: now } = await db.query<{ now: Date }>('SELECT now() AS now');
        return {
          secret,
          previousExpiresAt:
            rows[0]?.expires_at ??
            new Date((now[0]?.now ?? new Date()).getTime() + overlapSeconds * 1000),
        };
      });
    },

    async disable(id, reason) {
      return db.transaction(async () => {
        const r = await markDisabled(id, reason, ['active']);
        if (!r) return false;
        await audit.record({
          action: 'webhook_endpoint.disabled',
          actorType: 'system',
          actorId: 'webhooks',
          targetType: 'webhook_endpoint',
          targetId: id,
          data: { reason },
        });
        // The notice reaches the owner even when this was their only endpoint: a
        // notification (and its email), and the event for their other endpoints.
        const disabledAt = r.disabled_at ?? new Date();
        await deps.notify({
          ownerId: r.owner_id,
          type: 'webhook_endpoint.disabled',
          ...disabledNotice({
            id,
            url: r.url,
            reason,
            disabledAt,
            retentionDays: deps.settings.retentionDays,
          }),
          data: {
            endpoint_id: id,
            url: r.url,
            reason,
            disabled_at: disabledAt.toISOString(),
          },
        });
        await deps.outbox.publish({
          type: 'webhook.endpoint.disabled',
          aggregateId: id,
          payload: {
            endpoint_id: id,
            owner_id: r.owner_id,
            url: r.url,
            reason,
            disabled_at: disabledAt.toISOString(),
          },
        });
        return true;
      });
    },
  };
}
