import { fail, type Failure } from '../../platform/failure.js';

/**
 * What a card processor refuses, as values. `card_declined` and the codes after it come
 * from the card's issuer (the payer should try another card); `token_invalid` means the
 * token is unknown or used; `processor_unavailable` that the processor could not be
 * reached or answered with a server error (the call may be retried with the same
 * idempotency key).
 */
export type CardFailureCode =
  | 'card_declined'
  | 'insufficient_funds'
  | 'expired_card'
  | 'incorrect_cvc'
  | 'processing_error'
  | 'token_invalid'
  | 'amount_invalid'
  | 'charge_not_capturable'
  | 'refund_exceeds_charge'
  | 'processor_unavailable';

export type CardFailure = Failure<CardFailureCode>;

/** A charge at the processor: authorized (a hold on the card), then captured. */
export interface CardCharge {
  /** The processor's id (`ch_…`). */
  id: string;
  /** Minor units of `currency`. */
  amount: bigint;
  /** Upper-case ISO 4217 code. */
  currency: string;
  captured: boolean;
  /** What was captured (a partial capture takes less than `amount`). */
  amountCaptured: bigint;
  amountRefunded: bigint;
  brand: string;
  last4: string;
}

export interface CardRefund {
  /** The processor's id (`re_…`). */
  id: string;
  chargeId: string;
  amount: bigint;
}

/** Where the payer's browser sends the card: the processor's tokenizer, never Vaultwire. */
export interface CardTokenizer {
  /** The form's `action`: the processor's token endpoint. */
  action: string;
  /** Its origin, for the checkout page's `form-action` CSP. */
  origin: string;
  /** The public key the form sends (`pk_…`): it can make tokens, nothing else. */
  publishableKey: string;
}

/**
 * A card processor, for one mode (live or test keys). Card numbers never pass through
 * Vaultwire: the payer's browser posts the card to the processor's tokenizer, which
 * sends the browser back with a single-use token (`tok_…`); Vaultwire charges the token.
 * Every call that moves money carries an idempotency key, so a retry after a lost answer
 * does not charge or refund twice.
 *
 * @example
 * const auth = await cards.authorize({ token, amount: 1250n, currency: 'USD', idempotencyKey: paymentId });
 * if (!isFailure(auth)) await cards.capture(auth.id, `${paymentId}:capture`);
 */
export interface CardProcessor {
  readonly tokenizer: CardTokenizer;
  /**
   * Places a hold of `amount` on the token's card (nothing is taken until capture). The
   * charge's `amount` may come back lower: an issuer may approve part of it (prepaid and
   * gift cards); the caller captures at most that.
   */
  authorize(input: {
    token: string;
    amount: bigint;
    currency: string;
    idempotencyKey: string;
    description?: string | undefined;
  }): Promise<CardCharge | CardFailure>;
  /**
   * Takes the authorized amount, or only `amount` of it (a partial capture: the rest of
   * the hold goes back to the card). The charge's `amountCaptured` is what was taken.
   */
  capture(
    chargeId: string,
    idempotencyKey: string,
    amount?: bigint,
  ): Promise<CardCharge | CardFailure>;
  /**
   * Gives `amount` back to the card (all that is left when omitted); on a charge not yet
   * captured this releases the hold instead.
   */
  refund(input: {
    chargeId: string;
    amount?: bigint | undefined;
    idempotencyKey: string;
  }): Promise<CardRefund | CardFailure>;
}

/** Card-processor API error codes (Stripe's names) in ours. */
const CODES: Readonly<Record<string, CardFailureCode>> = {
  card_declined: 'card_declined',
  insufficient_funds: 'insufficient_funds',
  expired_card: 'expired_card',
  incorrect_cvc: 'incorrect_cvc',
  processing_error: 'processing_error',
  token_already_used: 'token_invalid',
  resource_missing: 'token_invalid',
  amount_too_small: 'amount_invalid',
  amount_too_large: 'amount_invalid',
  charge_already_captured: 'charge_not_capturable',
  charge_already_refunded: 'refund_exceeds_charge',
  refund_exceeds_charge: 'refund_exceeds_charge',
};

interface ChargeJson {
  id: string;
  amount: number;
  currency: string;
  captured: boolean;
  amount_captured: number;
  amount_refunded: number;
  payment_method_details?: { card?: { brand?: string; last4?: string } };
}

interface ErrorJson {
  error?: { type?: string; code?: string; decline_code?: string; message?: string };
}

const toCharge = (c: ChargeJson): CardCharge => ({
  id: c.id,
  amount: BigInt(c.amount),
  currency: c.currency.toUpperCase(),
  captured: c.captured,
  amountCaptured: BigInt(c.amount_captured),
  amountRefunded: BigInt(c.amount_refunded),
  brand: c.payment_method_details?.card?.brand ?? 'card',
  last4: c.payment_method_details?.card?.last4 ?? '',
});

/**
 * A `CardProcessor` over HTTP, speaking the Stripe charges API (form-encoded bodies,
 * `Authorization: Bearer sk_…`, `Idempotency-Key`, errors as `{error: {type, code,
 * decline_code, message}}`): `POST /v1/charges` with `capture=false`,
 * `POST /v1/charges/{id}/capture`, `POST /v1/refunds`; the browser posts the card to
 * `POST /v1/tokens`. The test processor (`test-processor.ts`) speaks the same API.
 */
export function createHttpCardProcessor(options: {
  /** Server-to-server API base (`https://api.processor.example`). */
  apiUrl: string;
  /** The tokenizer's base as the payer's browser reaches it (default `apiUrl`). */
  publicUrl?: string | undefined;
  secretKey: string;
  publishableKey: string;
  timeoutMs?: number;
}): CardProcessor {
  const api = options.apiUrl.replace(/\/+$/, '');
  const pub = (options.publicUrl ?? options.apiUrl).replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 15_000;

  const call = async <T>(
    path: string,
    form: Record<string, string>,
    idempotencyKey: string,
  ): Promise<T | CardFailure> => {
    let res: Response;
    try {
      res = await fetch(`${api}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${options.secretKey}`,
          'content-type': 'application/x-www-form-urlencoded',
          'idempotency-key': idempotencyKey,
        },
        body: new URLSearchParams(form).toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      return fail('processor_unavailable', {
        message: `The card processor could not be reached (${(err as Error).name})`,
      });
    }
    const body = (await res.json().catch(() => ({}))) as T & ErrorJson;
    if (res.ok) return body;
    if (res.status >= 500 || res.status === 429) {
      return fail('processor_unavailable', {
        message: `The card processor answered ${res.status}`,
      });
    }
    const e = body.error ?? {};
    const code =
      (e.decline_code !== undefined ? CODES[e.decline_code] : undefined) ??
      CODES[e.code ?? ''] ??
      (e.type === 'card_error' ? 'card_declined' : undefined);
    if (!code) {
      // A request the processor finds malformed is our fault, not the payer's.
      throw new Error(`card processor refused ${path}: ${res.status} ${e.code ?? ''}`);
    }
    return fail(code, { message: e.message });
  };

  return {
    tokenizer: {
      action: `${pub}/v1/tokens`,
      origin: new URL(pub).origin,
      publishableKey: options.publishableKey,
    },
    async authorize(input) {
      const r = await call<ChargeJson>(
        '/v1/charges',
        {
          amount: input.amount.toString(),
          currency: input.currency.toLowerCase(),
          source: input.token,
          capture: 'false',
          ...(input.description ? { description: input.description } : {}),
        },
        input.idempotencyKey,
      );
      return 'id' in r ? toCharge(r) : r;
    },
    async capture(chargeId, idempotencyKey, amount) {
      const r = await call<ChargeJson>(
        `/v1/charges/${encodeURIComponent(chargeId)}/capture`,
        amount !== undefined ? { amount: amount.toString() } : {},
        idempotencyKey,
      );
      return 'id' in r ? toCharge(r) : r;
    },
    async refund(input) {
      const r = await call<{ id: string; charge: string; amount: number }>(
        '/v1/refunds',
        {
          charge: input.chargeId,
          ...(input.amount !== undefined ? { amount: input.amount.toString() } : {}),
        },
        input.idempotencyKey,
      );
      return 'id' in r ? { id: r.id, chargeId: r.charge, amount: BigInt(r.amount) } : r;
    },
  };
}
