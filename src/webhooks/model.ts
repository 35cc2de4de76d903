/** Shapes shared across the webhooks module. */

export type EndpointStatus = 'active' | 'paused' | 'disabled';

/** A registered receiver. Its secret is never part of it (shown once at creation). */
export interface Endpoint {
  id: string;
  ownerId: string;
  ownerStaff: boolean;
  url: string;
  description: string | null;
  eventTypes: string[];
  status: EndpointStatus;
  /** Why it was disabled (by its owner, a 410 Gone, days of failures); null unless disabled. */
  disabledReason: string | null;
  disabledAt: Date | null;
  ordered: boolean;
  rateLimitPerSec: number | null;
  maxInFlight: number | null;
  failingSince: Date | null;
  lastSuccessAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface EndpointRow {
  id: string;
  owner_id: string;
  owner_staff: boolean;
  url: string;
  description: string | null;
  event_types: string[];
  status: EndpointStatus;
  disabled_reason: string | null;
  disabled_at: Date | null;
  ordered: boolean;
  rate_limit_per_sec: number | null;
  max_in_flight: number | null;
  failing_since: Date | null;
  last_success_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const ENDPOINT_COLUMNS = `id, owner_id, owner_staff, url, description, event_types, status,
  disabled_reason, disabled_at, ordered, rate_limit_per_sec, max_in_flight, failing_since, last_success_at,
  created_at, updated_at`;

export function toEndpoint(r: EndpointRow): Endpoint {
  return {
    id: r.id,
    ownerId: r.owner_id,
    ownerStaff: r.owner_staff,
    url: r.url,
    description: r.description,
    eventTypes: r.event_types,
    status: r.status,
    disabledReason: r.disabled_reason,
    disabledAt: r.disabled_at,
    ordered: r.ordered,
    rateLimitPerSec: r.rate_limit_per_sec,
    maxInFlight: r.max_in_flight,
    failingSince: r.failing_since,
    lastSuccessAt: r.last_success_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * `skipped`: recorded while its endpoint was disabled (or waiting when it was disabled)
 * and not attempted; the owner recovers it once the endpoint is enabled again.
 */
export type MessageState = 'pending' | 'queued' | 'delivering' | 'delivered' | 'failed' | 'skipped';

export const MESSAGE_STATES = [
  'pending',
  'queued',
  'delivering',
  'delivered',
  'failed',
  'skipped',
] as const satisfies readonly MessageState[];

/** One event for one endpoint: its delivery state. `id` is the `webhook-id`. */
export interface Message {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  chainKey: string | null;
  blockNumber: bigint | null;
  state: MessageState;
  attempts: number;
  nextAttemptAt: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  body: string;
}

/** One HTTP attempt, as the delivery log shows it. */
export interface Attempt {
  id: string;
  messageId: string;
  endpointId: string;
  attempt: number;
  outcome: string;
  statusCode: number | null;
  latencyMs: number | null;
  responseExcerpt: string | null;
  error: string | null;
  createdAt: Date;
}

/** Who calls a service operation. */
export interface Caller {
  userId: string;
  /** Operators and admins see and manage every endpoint. */
  staff: boolean;
}

/** The caller a signed-in user is: operators and admins are staff. */
export function callerOf(user: { userId: string; role: string }): Caller {
  return { userId: user.userId, staff: user.role === 'operator' || user.role === 'admin' };
}

/** A message to create: an event for one endpoint. */
export interface NewMessage {
  endpointId: string;
  eventId: string;
  eventType: string;
  chainKey?: string | null;
  blockNumber?: bigint | null;
  /** The JSON body, serialised once here and signed byte for byte. */
  body: string;
}

/** A message as created (or found still queued) by ingest, ready to hand to the engine. */
export interface DispatchItem {
  id: string;
  endpointId: string;
  body: string;
  state: MessageState;
  createdAtMs: number;
  /**
   * Set when the message has no row yet (nats engine, first attempt of an unordered
   * endpoint): the broker holds it until the delivery worker writes its row together
   * with the first outcome. What the row needs beyond id, endpoint and body.
   */
  deferred?: DeferredRow;
}

/** The columns of a message whose row the delivery worker creates. */
export interface DeferredRow {
  eventId: string;
  eventType: string;
  chainKey: string | null;
  blockNumber: bigint | null;
}
