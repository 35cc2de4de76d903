import type { Attempt, Endpoint, Message } from '../model.js';
import type { Backfill } from '../subscriptions/backfill.js';
import type { Subscription } from '../subscriptions/service.js';

/** The webhook module's objects as the API shows them (snake_case, ISO times, decimal strings). */

export const endpointJson = (e: Endpoint) => ({
  id: e.id,
  object: 'webhook_endpoint' as const,
  url: e.url,
  description: e.description,
  event_types: e.eventTypes,
  status: e.status,
  disabled_reason: e.disabledReason,
  disabled_at: e.disabledAt?.toISOString() ?? null,
  ordered: e.ordered,
  rate_limit_per_sec: e.rateLimitPerSec,
  max_in_flight: e.maxInFlight,
  failing_since: e.failingSince?.toISOString() ?? null,
  last_success_at: e.lastSuccessAt?.toISOString() ?? null,
  created_at: e.createdAt.toISOString(),
  updated_at: e.updatedAt.toISOString(),
});

export const messageJson = (m: Message) => ({
  id: m.id,
  object: 'webhook_message' as const,
  endpoint_id: m.endpointId,
  event_id: m.eventId,
  event_type: m.eventType,
  chain: m.chainKey,
  block_number: m.blockNumber?.toString() ?? null,
  state: m.state,
  attempts: m.attempts,
  next_attempt_at: m.nextAttemptAt?.toISOString() ?? null,
  last_status: m.lastStatus,
  last_error: m.lastError,
  created_at: m.createdAt.toISOString(),
  delivered_at: m.deliveredAt?.toISOString() ?? null,
  payload: JSON.parse(m.body) as unknown,
});

export const attemptJson = (a: Attempt) => ({
  id: a.id,
  object: 'webhook_attempt' as const,
  message_id: a.messageId,
  attempt: a.attempt,
  outcome: a.outcome,
  status_code: a.statusCode,
  latency_ms: a.latencyMs,
  response_excerpt: a.responseExcerpt,
  error: a.error,
  created_at: a.createdAt.toISOString(),
});

export const subscriptionJson = (s: Subscription) => ({
  id: s.id,
  object: 'webhook_subscription' as const,
  endpoint_id: s.endpointId,
  kind: s.kind,
  chain: s.chain,
  filter: s.filter,
  item_count: s.itemCount,
  ...(s.fromBlock !== null ? { from_block: s.fromBlock.toString() } : {}),
  created_at: s.createdAt.toISOString(),
  updated_at: s.updatedAt.toISOString(),
  ...(s.backfillId !== undefined ? { backfill_id: s.backfillId } : {}),
});

export const backfillJson = (b: Backfill) => ({
  id: b.id,
  object: 'webhook_backfill' as const,
  subscription_id: b.subscriptionId,
  chain: b.chain,
  address_count: b.addressCount,
  from_block: b.fromBlock.toString(),
  to_block: b.toBlock?.toString() ?? null,
  next_block: b.nextBlock.toString(),
  state: b.state,
  messages: b.messages,
  last_error: b.lastError,
  created_at: b.createdAt.toISOString(),
  finished_at: b.finishedAt?.toISOString() ?? null,
});
