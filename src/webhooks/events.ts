import { defineEvents, ownersFrom } from '../platform/events/registry.js';

/** The webhooks module's own outbox events. */
export const WEBHOOK_EVENT_REGISTRY = defineEvents('webhooks', [
  {
    type: 'webhook.endpoint.disabled',
    description:
      'One of your endpoints was disabled (every delivery failed for too long, or it answered 410); sent to your other endpoints that take it. You are told also by a notification (`GET /v1/notifications`), emailed when SMTP is configured',
    payload: 'endpoint_id, owner_id, url, reason, disabled_at',
    owners: ownersFrom('owner_id'),
    visibility: 'public',
  },
]);
