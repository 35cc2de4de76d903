/**
 * A payout rail pays money from the operator's bank to a merchant's bank account (a bank
 * API, a payments processor's payouts). Vaultwire books the ledger; the rail only moves
 * money. Calls carry Vaultwire's payout id as the idempotency key, so a job retried after
 * a lost answer asks for the same payout again and the rail pays it once.
 *
 * @example
 * const rail = createHttpPayoutRail({ name: 'bank', baseUrl: 'https://rail.example', apiKey });
 * const r = await rail.create({ idempotencyKey: 'po_01…', amount: 12_50n, currency: 'USD',
 *   destination: 'DE89370400440532013000', metadata: { payout: 'po_01…' } });
 * if (r.ok) console.log(r.payout.reference, r.payout.state);
 */
export interface PayoutRail {
  readonly name: string;
  /** Asks the rail to pay; the same key again answers the payout it already made. */
  create(
    input: RailPayoutRequest,
    signal?: AbortSignal,
  ): Promise<{ ok: true; payout: RailPayout } | { ok: false; reason: string }>;
  /** Where a payout stands at the rail. */
  get(reference: string, signal?: AbortSignal): Promise<RailPayout>;
}

export interface RailPayoutRequest {
  idempotencyKey: string;
  /** Minor units of `currency`. */
  amount: bigint;
  currency: string;
  destination: string;
  metadata: Record<string, string>;
}

export interface RailPayout {
  reference: string;
  state: 'pending' | 'paid' | 'failed';
  failureReason: string | null;
}

/** A rail answer that may succeed when asked again (5xx, timeouts, rate limits). */
export class RailUnavailableError extends Error {
  override name = 'RailUnavailableError';
}

interface WirePayout {
  id: string;
  object: 'payout';
  status: 'pending' | 'in_transit' | 'paid' | 'failed' | 'canceled';
  failure_code: string | null;
  failure_message: string | null;
}

const fromWire = (p: WirePayout): RailPayout => ({
  reference: p.id,
  state:
    p.status === 'paid'
      ? 'paid'
      : p.status === 'failed' || p.status === 'canceled'
        ? 'failed'
        : 'pending',
  failureReason:
    p.status === 'failed' || p.status === 'canceled'
      ? (p.failure_message ?? p.failure_code ?? p.status)
      : null,
});

/**
 * A rail over its HTTP API: `POST /v1/payouts` with an `Idempotency-Key` header and
 * `GET /v1/payouts/{id}`, bearer-authenticated, JSON, amounts in minor units as strings
 * (the shape bank and processor payout APIs share; `test-rail-server.ts` serves it).
 * A 4xx on create is the rail refusing the payout (a closed account, a bad IBAN); 5xx,
 * 401, 403, 409, 429 and network faults are `RailUnavailableError`, for the job to retry
 * with the same key.
 */
export function createHttpPayoutRail(options: {
  name: string;
  baseUrl: string;
  apiKey: string;
  timeoutMs?: number;
}): PayoutRail {
  const base = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 15_000;

  const call = async (
    method: 'GET' | 'POST',
    path: string,
    init: { body?: unknown; idempotencyKey?: string; signal?: AbortSignal | undefined },
  ): Promise<{ status: number; body: unknown }> => {
    const signals = [AbortSignal.timeout(timeoutMs), ...(init.signal ? [init.signal] : [])];
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${options.apiKey}`,
          accept: 'application/json',
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(init.idempotencyKey ? { 'idempotency-key': init.idempotencyKey } : {}),
        },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        signal: AbortSignal.any(signals),
        redirect: 'error',
      });
    } catch (err) {
      throw new RailUnavailableError(
        `payout rail ${options.name}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    const text = await res.text();
    if (res.status >= 500 || [401, 403, 409, 429].includes(res.status)) {
      // 409: the rail is still working on a request with this key; 401/403: our key is
      // wrong (the operator's to fix), not the payout: ask again later.
      throw new RailUnavailableError(`payout rail ${options.name} answered ${res.status}`);
    }
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      throw new RailUnavailableError(`payout rail ${options.name} answered non-JSON`);
    }
    return { status: res.status, body };
  };

  const payoutOf = (body: unknown): WirePayout => {
    const p = body as Partial<WirePayout> | undefined;
    if (p?.object !== 'payout' || typeof p.id !== 'string' || typeof p.status !== 'string') {
      throw new RailUnavailableError(`payout rail ${options.name} answered an unknown shape`);
    }
    return {
      id: p.id,
      object: 'payout',
      status: p.status,
      failure_code: p.failure_code ?? null,
      failure_message: p.failure_message ?? null,
    };
  };

  return {
    name: options.name,
    async create(input, signal) {
      const r = await call('POST', '/v1/payouts', {
        idempotencyKey: input.idempotencyKey,
        signal,
        body: {
          amount: input.amount.toString(),
          currency: input.currency.toLowerCase(),
          destination: input.destination,
          metadata: input.metadata,
        },
      });
      if (r.status >= 400) {
        const e = (r.body as { error?: { code?: string; message?: string } } | undefined)?.error;
        return { ok: false, reason: e?.message ?? e?.code ?? `refused (${r.status})` };
      }
      return { ok: true, payout: fromWire(payoutOf(r.body)) };
    },
    async get(reference, signal) {
      const r = await call('GET', `/v1/payouts/${encodeURIComponent(reference)}`, { signal });
      if (r.status >= 400) {
        throw new RailUnavailableError(
          `payout rail ${options.name}: payout ${reference} answered ${r.status}`,
        );
      }
      return fromWire(payoutOf(r.body));
    },
  };
}
