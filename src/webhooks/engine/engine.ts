import type { DispatchItem } from '../model.js';
import type { DeliveryTask } from '../delivery/deliverer.js';

/**
 * Where first attempts travel between ingest and the delivery workers.
 *
 * - `postgres` (embedded default): the `webhook_messages` rows are the queue; workers
 *   claim due rows with `FOR UPDATE SKIP LOCKED`. `dispatch` only wakes local workers.
 * - `nats`: ingest publishes each message to a JetStream work-queue stream after its
 *   row commits; any number of `delivery` processes pull from one durable consumer.
 *
 * Retries, ordered endpoints and replays always run from PostgreSQL (`pending` rows), in
 * every `delivery` process: they are the minority of traffic, need per-message due times
 * hours ahead, and must not hold broker acknowledgements for hours.
 */
export interface DeliveryEngine {
  readonly kind: 'postgres' | 'nats';
  /** State new unordered messages are created in: `pending` (postgres) or `queued` (nats). */
  readonly initialState: 'pending' | 'queued';
  /**
   * True when first attempts may travel without a row (nats): the worker writes the row
   * with the first outcome. See `createDeferred` in ingest.ts.
   */
  readonly defersRows: boolean;
  /** Hands committed messages to the workers. */
  dispatch(items: readonly DispatchItem[]): Promise<void>;
  /** Starts consuming first attempts (nats); `handle` resolves once the outcome is recorded. */
  consume?(options: ConsumeOptions): EngineConsumer;
  /** Messages waiting in the broker (nats), for metrics and autoscaling. */
  backlog?(): Promise<{ pending: number; ackPending: number }>;
  close(): Promise<void>;
}

export interface ConsumeOptions {
  /** Most messages held at once by this process. */
  maxInFlight: number;
  handle(task: DeliveryTask): Promise<void>;
  /** Which of these messages are recorded as delivered (to skip on a redelivered batch). */
  alreadyDelivered?(ids: readonly string[]): Promise<Set<string>>;
  /**
   * Which of these events already have a row for the endpoint (any state): a deferred
   * message whose row exists was sent before (a repeat, or a batch redelivered after its
   * worker died) and is skipped.
   */
  existingEvents?(endpointId: string, eventIds: readonly string[]): Promise<Set<string>>;
}

export interface EngineConsumer {
  stop(): Promise<void>;
}

/** The embedded engine: the rows are the queue, so there is nothing to hand over. */
export function createPostgresEngine(): DeliveryEngine {
  return {
    kind: 'postgres',
    initialState: 'pending',
    defersRows: false,
    dispatch: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}
