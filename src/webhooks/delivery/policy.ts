/**
 * The pure rules of delivery: what an HTTP answer means, when to try again, and the
 * per-endpoint protections (circuit breaker, rate limit, in-flight bound). No I/O here,
 * so every rule is tested on its own.
 */

/**
 * Delays (seconds) before retries 1, 2, …: after an immediate first attempt, the
 * Standard Webhooks example schedule, 5 s up to 24 h, 10 attempts over about 75 hours.
 */
export const DEFAULT_RETRY_SCHEDULE_SECONDS: readonly number[] = [
  5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400,
];

/** What one attempt came to. */
export type AttemptOutcome =
  | 'delivered'
  | 'failed' // non-2xx other than the ones below
  | 'throttled' // 429, 502, 503, 504: slow down
  | 'gone' // 410: the receiver asks us to stop
  | 'redirect' // 3xx: never followed
  | 'timeout'
  | 'network' // refused, reset, DNS failure
  | 'blocked'; // the SSRF guard refused the address

/** What becomes of the message after an attempt. */
export type Verdict =
  | { kind: 'delivered' }
  | { kind: 'retry'; delayMs: number }
  | { kind: 'dead'; reason: string }
  | { kind: 'disable'; reason: string };

export function classifyStatus(status: number): AttemptOutcome {
  if (status >= 200 && status < 300) return 'delivered';
  if (status >= 300 && status < 400) return 'redirect';
  if (status === 410) return 'gone';
  if (status === 429 || status === 502 || status === 503 || status === 504) return 'throttled';
  return 'failed';
}

/** `Retry-After` in ms (delta seconds or an HTTP date), or undefined when absent or bad. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** ±20 % jitter, so messages that failed together do not all come back together. */
export function jitter(ms: number, random: () => number = Math.random): number {
  return Math.max(0, Math.round(ms * (0.8 + random() * 0.4)));
}

export interface RetryPolicy {
  scheduleSeconds: readonly number[];
  /** Most a `Retry-After` can push a retry out. */
  maxRetryAfterMs: number;
}

/**
 * The verdict after attempt number `attempt` (1 = the first) ended in `outcome`.
 * `retryAfterMs`: the receiver's `Retry-After`, honoured (capped) on throttling answers.
 */
export function verdict(
  outcome: AttemptOutcome,
  attempt: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): Verdict {
  if (outcome === 'delivered') return { kind: 'delivered' };
  if (outcome === 'gone') return { kind: 'disable', reason: 'the endpoint answered 410 Gone' };
  const scheduled = policy.scheduleSeconds[attempt - 1];
  if (scheduled === undefined) {
    return { kind: 'dead', reason: `no success after ${attempt} attempts` };
  }
  let delayMs = jitter(scheduled * 1000, random);
  if (outcome === 'throttled' && retryAfterMs !== undefined) {
    delayMs = Math.max(delayMs, Math.min(retryAfterMs, policy.maxRetryAfterMs));
  }
  return { kind: 'retry', delayMs };
}

/**
 * A circuit breaker per endpoint: after `threshold` failures in a row it opens, and
 * deliveries to the endpoint wait (without using up attempts) until the cool-down ends;
 * then one probe goes through (half-open). A success closes it; a failed probe opens it
 * again for twice as long, up to `maxCooldownMs`.
 */
export class CircuitBreaker {
  private failures = 0;
  private opens = 0;
  private openUntil = 0;
  private probing = false;

  constructor(
    private readonly threshold = 5,
    private readonly baseCooldownMs = 5_000,
    private readonly maxCooldownMs = 300_000,
  ) {}

  /** 0 when a request may go now, else the ms to wait. Claims the probe when half-open. */
  admit(nowMs: number): number {
    if (this.failures < this.threshold) return 0;
    if (nowMs < this.openUntil) return this.openUntil - nowMs;
    if (this.probing) return this.baseCooldownMs;
    this.probing = true;
    return 0;
  }

  /** Records a success; true when it closed a circuit that had opened. */
  success(): boolean {
    const reopened = this.opens > 0;
    this.failures = 0;
    this.opens = 0;
    this.probing = false;
    return reopened;
  }

  /** Records a failure; the cool-down in ms when this failure (re)opened the circuit, else 0. */
  failure(nowMs: number): number {
    this.failures++;
    if (this.failures >= this.threshold && (this.probing || nowMs >= this.openUntil)) {
      this.opens++;
      this.probing = false;
      const cooldown = Math.min(this.maxCooldownMs, this.baseCooldownMs * 2 ** (this.opens - 1));
      this.openUntil = nowMs + cooldown;
      return cooldown;
    }
    return 0;
  }

  get state(): 'closed' | 'open' | 'half_open' {
    if (this.failures < this.threshold) return 'closed';
    return this.probing ? 'half_open' : 'open';
  }
}

/**
 * A token bucket: `ratePerSec` sustained, bursts up to one second's worth. The rate may
 * be below 1/s (an endpoint's share of a fleet): the bucket then still holds one token,
 * or nothing would ever go.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private ratePerSec: number,
    nowMs: number,
  ) {
    this.tokens = this.capacity;
    this.last = nowMs;
  }

  private get capacity(): number {
    return Math.max(1, this.ratePerSec);
  }

  /** A new rate from now on, keeping the tokens saved so far (no fresh burst). */
  setRate(ratePerSec: number, nowMs: number): void {
    this.refill(nowMs);
    this.ratePerSec = ratePerSec;
    this.tokens = Math.min(this.capacity, this.tokens);
  }

  private refill(nowMs: number): void {
    const elapsed = Math.max(0, nowMs - this.last) / 1000;
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.ratePerSec);
    this.last = Math.max(this.last, nowMs);
  }

  /** Takes a token and returns 0, or returns the ms until one is available. */
  take(nowMs: number): number {
    this.refill(nowMs);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.ratePerSec) * 1000);
  }
}

/**
 * One worker's part of a limit shared by `workers` delivery processes: the limit split
 * evenly, the remainder going to the lowest ranks, so the parts add up to the limit.
 * Never below 1 (a worker with no part would hold its claimed messages forever), so with
 * fewer units than workers the fleet may reach `workers` in flight.
 */
export function fleetShare(limit: number, workers: number, rank: number): number {
  const n = Math.max(1, workers);
  const r = Math.min(Math.max(0, rank), n - 1);
  return Math.max(1, Math.floor(limit / n) + (r < limit % n ? 1 : 0));
}

/** A counting semaphore with a FIFO wait list. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private limit: number) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  get limitValue(): number {
    return this.limit;
  }

  setLimit(limit: number): void {
    this.limit = limit;
    while (this.active < this.limit && this.waiting.length > 0) {
      this.active++;
      this.waiting.shift()?.();
    }
  }

  acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}
