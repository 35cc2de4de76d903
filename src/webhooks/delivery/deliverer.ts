import type { EndpointDirectory } from '../endpoints/directory.js';
import type { WebhookMetrics } from '../metrics.js';
import type { DeferredRow } from '../model.js';
import { deliveryHeaders } from '../signing/signing.js';
import type { FleetView, SharedCircuits } from './fleet.js';
import {
  CircuitBreaker,
  classifyStatus,
  fleetShare,
  parseRetryAfter,
  Semaphore,
  TokenBucket,
  verdict,
  type AttemptOutcome,
  type RetryPolicy,
} from './policy.js';
import type { HttpSender } from './sender.js';

/** One delivery to attempt, from either engine. */
export interface DeliveryTask {
  messageId: string;
  endpointId: string;
  body: string;
  /** Attempts already made. */
  attempts: number;
  /** The PostgreSQL claim it runs under; null when it came from the broker. */
  claim: string | null;
  /** When the message was created (for event-to-delivery latency). */
  createdAtMs: number;
  /** Set when the message has no row yet: the outcome creates it (nats engine). */
  deferred?: DeferredRow;
}

/** What to write back about a task. */
export interface OutcomeRecord {
  messageId: string;
  endpointId: string;
  claim: string | null;
  /**
   * `drop`: the endpoint is gone, nothing to write. `skipped`: the endpoint is disabled;
   * recorded without an attempt, for the owner to recover.
   */
  state: 'delivered' | 'pending' | 'failed' | 'skipped' | 'drop';
  /** 1 when an HTTP attempt was made. */
  attemptsInc: 0 | 1;
  nextAttemptAt: Date | null;
  attempt?: {
    number: number;
    outcome: AttemptOutcome;
    statusCode: number | null;
    latencyMs: number;
    excerpt: string | null;
    error: string | null;
  };
  /** Reason to disable the endpoint (410 Gone). */
  disable?: string;
  /** The row to create with this outcome, for a message that has none yet. */
  create?: DeferredRow & { body: string; createdAtMs: number };
}

export interface DelivererSettings {
  retry: RetryPolicy;
  /**
   * In-flight requests per endpoint in this process, unless the endpoint sets its own
   * (an endpoint's own bound is for the whole fleet, and split across it).
   */
  endpointMaxInFlight: number;
  /** In-flight requests in this process, all endpoints together. */
  maxInFlight?: number;
  /** Longest a rate-limited delivery waits in memory before it is put back as due later. */
  maxLocalWaitMs?: number;
  /** Failures in a row that open an endpoint's circuit, and its first cool-down. */
  circuit?: { threshold: number; cooldownMs: number };
}

export interface Deliverer {
  deliver(task: DeliveryTask): Promise<OutcomeRecord>;
  /** Circuit states of the endpoints this process has talked to recently. */
  circuits(): Map<string, 'closed' | 'open' | 'half_open'>;
}

interface EndpointState {
  breaker: CircuitBreaker;
  bucket: TokenBucket | undefined;
  rate: number | null;
  gate: Semaphore;
  /** A receiver's `Retry-After` holds every delivery to it until then. */
  holdUntil: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Delivers one message: the endpoint's protections first (paused, circuit, `Retry-After`
 * hold, rate limit), then a signed POST inside the endpoint's in-flight bound, then the
 * verdict. It never throws for a receiver's behaviour; the record says what happened.
 */
export function createDeliverer(deps: {
  directory: EndpointDirectory;
  sender: HttpSender;
  metrics: WebhookMetrics;
  settings: DelivererSettings;
  /** The live delivery processes: an endpoint's rate and in-flight bound are split across them. */
  fleet?: FleetView;
  /** Where circuits opened by any worker are written and read back (through `directory`). */
  sharedCircuits?: SharedCircuits;
  now?: () => number;
  random?: () => number;
  /** Called as a request is about to go out, after every wait (rate, in-flight bounds). */
  onSend?: (task: DeliveryTask) => void;
}): Deliverer {
  const { directory, sender, metrics, settings } = deps;
  const now = deps.now ?? Date.now;
  const states = new Map<string, EndpointState>();
  const maxLocalWait = settings.maxLocalWaitMs ?? 1_000;
  // Bounds HTTP requests only: callers may hold more tasks (waiting to be recorded).
  const global = new Semaphore(settings.maxInFlight ?? 1_000_000);
  const outcomeMetrics = new Map<
    AttemptOutcome,
    { count: { inc(): void }; seconds: { observe(v: number): void } }
  >();
  const metricsFor = (o: AttemptOutcome) => {
    let m = outcomeMetrics.get(o);
    if (!m) {
      m = { count: metrics.deliveries.labels(o), seconds: metrics.requestSeconds.labels(o) };
      outcomeMetrics.set(o, m);
    }
    return m;
  };

  const stateOf = (id: string, rate: number | null, maxInFlight: number): EndpointState => {
    let st = states.get(id);
    if (!st) {
      st = {
        breaker: new CircuitBreaker(
          settings.circuit?.threshold ?? 5,
          settings.circuit?.cooldownMs ?? 5_000,
        ),
        bucket: rate !== null ? new TokenBucket(rate, now()) : undefined,
        rate,
        gate: new Semaphore(maxInFlight),
        holdUntil: 0,
      };
      states.set(id, st);
    } else {
      if (st.rate !== rate) {
        st.rate = rate;
        // A new fleet size keeps the tokens saved so far: no fresh burst on each change.
        if (rate === null) st.bucket = undefined;
        else if (st.bucket) st.bucket.setRate(rate, now());
        else st.bucket = new TokenBucket(rate, now());
      }
      st.gate.setLimit(maxInFlight);
    }
    return st;
  };

  // Every record is made here, with every property (undefined when unused), so records
  // share one object shape on the hot path instead of one per spread.
  const record = (
    task: DeliveryTask,
    state: OutcomeRecord['state'],
    nextAttemptAt: Date | null,
    attempt: OutcomeRecord['attempt'],
    disable?: string,
  ): OutcomeRecord => ({
    messageId: task.messageId,
    endpointId: task.endpointId,
    claim: task.claim,
    state,
    attemptsInc: attempt ? 1 : 0,
    nextAttemptAt,
    attempt,
    disable,
    create: undefined,
  });
  const later = (task: DeliveryTask, waitMs: number): OutcomeRecord =>
    record(task, 'pending', new Date(now() + waitMs), undefined);

  return {
    circuits() {
      return new Map([...states].map(([id, s]) => [id, s.breaker.state]));
    },

    async deliver(task) {
      // An endpoint created since this process last synced is read at once: its first
      // messages (the creation ping) must not wait for the next sync, nor be dropped.
      // Dropped only when it no longer exists (its messages went with it).
      const ep = directory.get(task.endpointId) ?? (await directory.lookup(task.endpointId));
      if (!ep) return record(task, 'drop', new Date(now()), undefined);
      // Disabled: recorded, not attempted (the owner recovers it after re-enabling).
      if (ep.status === 'disabled') return record(task, 'skipped', null, undefined);
      // Paused: back to the table, where only active endpoints are claimed.
      if (ep.status !== 'active') return later(task, 0);
      // This process's share of the endpoint's own limits (see fleet.ts for the bounds).
      const workers = deps.fleet?.size ?? 1;
      const st = stateOf(
        ep.id,
        ep.rateLimitPerSec === null ? null : ep.rateLimitPerSec / workers,
        ep.maxInFlight === null
          ? settings.endpointMaxInFlight
          : fleetShare(ep.maxInFlight, workers, deps.fleet?.rank ?? 0),
      );
      if (st.holdUntil > now()) {
        metrics.deferred.inc({ reason: 'retry_after' });
        return later(task, st.holdUntil - now());
      }
      // Before the local breaker, whose admit() may claim the half-open probe.
      const sharedWait = (ep.circuitOpenUntil?.getTime() ?? 0) - now();
      if (sharedWait > 0) {
        metrics.deferred.inc({ reason: 'circuit_open' });
        return later(task, sharedWait);
      }
      const wait = st.breaker.admit(now());
      if (wait > 0) {
        metrics.deferred.inc({ reason: 'circuit_open' });
        return later(task, wait);
      }
      if (st.bucket) {
        let w = st.bucket.take(now());
        while (w > 0 && w <= maxLocalWait) {
          await sleep(w);
          w = st.bucket.take(now());
        }
        if (w > 0) {
          metrics.deferred.inc({ reason: 'rate_limit' });
          return later(task, w);
        }
      }

      const attemptNo = task.attempts + 1;
      const keys = directory.cachedKeys(ep.id, now()) ?? (await directory.keys(ep.id, now()));
      await global.acquire();
      await st.gate.acquire();
      let result: Awaited<ReturnType<HttpSender['post']>>;
      try {
        if (keys.length === 0) throw new Error(`endpoint ${ep.id} has no live signing secret`);
        deps.onSend?.(task);
        const ts = Math.floor(now() / 1000);
        // The pool may hold the whole bound: the gate holds this process to its share,
        // and the pool need not be rebuilt when the fleet shrinks.
        result = await sender.post(
          {
            endpointId: ep.id,
            url: ep.parsedUrl,
            connections: Math.max(st.gate.limitValue, ep.maxInFlight ?? 0),
          },
          deliveryHeaders(keys, task.messageId, ts, task.body),
          task.body,
        );
      } finally {
        st.gate.release();
        global.release();
      }

      const outcome: AttemptOutcome =
        result.kind === 'response' ? classifyStatus(result.status) : result.kind;
      const retryAfterMs =
        result.kind === 'response' ? parseRetryAfter(result.retryAfter, now()) : undefined;
      if (outcome === 'delivered') {
        if (st.breaker.success()) deps.sharedCircuits?.closed(ep.id);
      } else {
        const cooldownMs = st.breaker.failure(now());
        if (cooldownMs > 0) deps.sharedCircuits?.opened(ep.id, cooldownMs);
      }
      if (outcome === 'throttled' && retryAfterMs !== undefined) {
        st.holdUntil = Math.max(
          st.holdUntil,
          now() + Math.min(retryAfterMs, settings.retry.maxRetryAfterMs),
        );
      }

      const m = metricsFor(outcome);
      m.count.inc();
      m.seconds.observe(result.latencyMs / 1000);
      if (outcome === 'delivered') {
        metrics.eventToDeliverySeconds.observe(Math.max(0, now() - task.createdAtMs) / 1000);
      }

      const v = verdict(outcome, attemptNo, settings.retry, retryAfterMs, deps.random);
      const attempt = {
        number: attemptNo,
        outcome,
        statusCode: result.kind === 'response' ? result.status : null,
        latencyMs: result.latencyMs,
        excerpt: result.kind === 'response' ? result.excerpt : null,
        error: result.kind === 'response' ? null : result.error,
      };
      switch (v.kind) {
        case 'delivered':
          return record(task, 'delivered', null, attempt);
        case 'retry':
          metrics.retriesScheduled.inc();
          return record(task, 'pending', new Date(now() + v.delayMs), attempt);
        case 'dead':
          metrics.deadLettered.inc();
          return record(task, 'failed', null, attempt);
        case 'disable':
          metrics.deadLettered.inc();
          return record(task, 'failed', null, attempt, v.reason);
      }
    },
  };
}
