import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { luhnValid } from '../../platform/observability/pan.js';

/**
 * A card processor for tests, demos and the benchmark: an HTTP server on 127.0.0.1 that
 * speaks the Stripe API subset `createHttpCardProcessor` uses (no card network runs
 * here, so this stands in for one, as Stripe's test mode does):
 *
 * - `POST /v1/tokens` (publishable key as `key`, `card[number]`, `card[exp_month]`,
 *   `card[exp_year]` or `card[exp]` as `MM/YY`, `card[cvc]`): the browser posts the card
 *   here. With a `return_url` it answers 303 to that URL with `token=tok_…` (or
 *   `error=<code>`) added, so a plain HTML form works without script; without one, the
 *   token as JSON.
 * - `POST /v1/charges` (`amount`, `currency`, `source`, `capture=false`),
 *   `POST /v1/charges/{id}/capture` (`amount`: capture less than authorized, the rest of
 *   the hold released), `GET /v1/charges/{id}`, `POST /v1/refunds`
 *   (`charge`, `amount`): secret key as `Authorization: Bearer`; `Idempotency-Key`
 *   replays the first answer; errors as `{error: {type, code, decline_code, message}}`.
 *
 * Test cards (Stripe's): 4242 4242 4242 4242 and 5555 5555 5555 4444 succeed;
 * 4000 0000 0000 0002 is declined, …9995 for insufficient funds, …0069 expired,
 * …0127 a wrong CVC, …0119 a processing error. 4000 0500 0000 0007 is a prepaid card
 * with 10.00 left on it: a charge above that is authorized for 10.00 only (a partial
 * authorization, as issuers of prepaid and gift cards answer). A number failing the Luhn check is
 * refused at tokenization (`incorrect_number`). Card numbers live only in this
 * process's memory, as they would only at a real processor.
 */
export interface TestCardProcessor {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly secretKey: string;
  readonly publishableKey: string;
  /** The charges made, for tests to check against (no card numbers in them). */
  charges(): readonly TestCharge[];
  /** How many requests reached each route (`POST /v1/tokens`, …). */
  requests(): Readonly<Record<string, number>>;
  /**
   * While on, every secret-key call answers 503 without acting (an outage, as callers
   * see one); the tokenizer stays up.
   */
  setOutage(on: boolean): void;
  close(): Promise<void>;
}

export interface TestCharge {
  id: string;
  amount: number;
  currency: string;
  captured: boolean;
  /** What capture took (0 until captured; less than `amount` after a partial capture). */
  amountCaptured: number;
  amountRefunded: number;
  status: 'succeeded' | 'failed';
  last4: string;
  description: string | null;
}

export const TEST_CARDS = {
  visa: '4242424242424242',
  mastercard: '5555555555554444',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  expired: '4000000000000069',
  incorrectCvc: '4000000000000127',
  processingError: '4000000000000119',
  /** A prepaid card with 1000 minor units left: charges above that are partly authorized. */
  prepaid: '4000050000000007',
} as const;

/** What the prepaid test card has left, in minor units of any currency. */
const PREPAID_BALANCE = 1_000;

const DECLINES: Readonly<Record<string, { code: string; decline: string; message: string }>> = {
  [TEST_CARDS.declined]: {
    code: 'card_declined',
    decline: 'generic_decline',
    message: 'Your card was declined.',
  },
  [TEST_CARDS.insufficientFunds]: {
    code: 'card_declined',
    decline: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
  },
  [TEST_CARDS.expired]: {
    code: 'expired_card',
    decline: 'expired_card',
    message: 'Your card has expired.',
  },
  [TEST_CARDS.incorrectCvc]: {
    code: 'incorrect_cvc',
    decline: 'incorrect_cvc',
    message: "Your card's security code is incorrect.",
  },
  [TEST_CARDS.processingError]: {
    code: 'processing_error',
    decline: 'processing_error',
    message: 'An error occurred while processing your card.',
  },
};

interface Card {
  number: string;
  expMonth: number;
  expYear: number;
}

interface Charge extends TestCharge {
  refunds: number;
  brand: string;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const brandOf = (n: string) =>
  n.startsWith('4')
    ? 'visa'
    : /^5[1-5]|^2[2-7]/.test(n)
      ? 'mastercard'
      : /^3[47]/.test(n)
        ? 'amex'
        : 'unknown';

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body['code']));
  }
}
const invalid = (code: string, message: string, param?: string) =>
  new ApiError(400, { type: 'invalid_request_error', code, message, param });

export async function startTestCardProcessor(
  options: { host?: string; port?: number; secretKey?: string; publishableKey?: string } = {},
): Promise<TestCardProcessor> {
  const secretKey = options.secretKey ?? `sk_test_${randomBytes(12).toString('hex')}`;
  const publishableKey = options.publishableKey ?? `pk_test_${randomBytes(12).toString('hex')}`;
  const tokens = new Map<string, { card: Card; used: boolean }>();
  let outage = false;
  const charges = new Map<string, Charge>();
  const replays = new Map<string, { status: number; body: unknown }>();
  const counts: Record<string, number> = {};

  const publicCharge = (c: Charge) => ({
    id: c.id,
    object: 'charge',
    amount: c.amount,
    amount_captured: c.amountCaptured,
    amount_refunded: c.amountRefunded,
    currency: c.currency,
    captured: c.captured,
    refunded: c.amountRefunded > 0 && c.amountRefunded >= c.amount,
    status: c.status,
    paid: c.status === 'succeeded',
    description: c.description,
    payment_method_details: { type: 'card', card: { brand: c.brand, last4: c.last4 } },
  });

  const tokenize = (form: URLSearchParams): { id: string; card: Card } => {
    if (form.get('key') !== publishableKey) {
      throw new ApiError(401, {
        type: 'invalid_request_error',
        code: 'api_key_invalid',
        message: 'Invalid publishable key',
      });
    }
    const number = (form.get('card[number]') ?? '').replace(/[ -]/g, '');
    if (!/^[0-9]{12,19}$/.test(number) || !luhnValid(number)) {
      throw new ApiError(402, {
        type: 'card_error',
        code: 'incorrect_number',
        message: 'Your card number is incorrect.',
        param: 'number',
      });
    }
    let month = Number(form.get('card[exp_month]'));
    let year = Number(form.get('card[exp_year]'));
    const exp = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(form.get('card[exp]') ?? '');
    if (exp) {
      month = Number(exp[1]);
      year = Number(exp[2]);
    }
    if (year < 100) year += 2000;
    const now = new Date();
    if (!Number.isInteger(month) || month < 1 || month > 12) {
      throw new ApiError(402, {
        type: 'card_error',
        code: 'invalid_expiry_month',
        message: "Your card's expiration month is invalid.",
        param: 'exp_month',
      });
    }
    if (
      !Number.isInteger(year) ||
      year < now.getUTCFullYear() ||
      (year === now.getUTCFullYear() && month < now.getUTCMonth() + 1)
    ) {
      throw new ApiError(402, {
        type: 'card_error',
        code: 'invalid_expiry_year',
        message: "Your card's expiration year is invalid.",
        param: 'exp_year',
      });
    }
    if (!/^[0-9]{3,4}$/.test(form.get('card[cvc]') ?? '')) {
      throw new ApiError(402, {
        type: 'card_error',
        code: 'invalid_cvc',
        message: "Your card's security code is invalid.",
        param: 'cvc',
      });
    }
    const token = id('tok');
    const card = { number, expMonth: month, expYear: year };
    tokens.set(token, { card, used: false });
    return { id: token, card };
  };

  const amountOf = (form: URLSearchParams, name: string, required: boolean) => {
    const text = form.get(name);
    if (text === null && !required) return undefined;
    if (!/^[0-9]{1,15}$/.test(text ?? '') || Number(text) < 1) {
      throw invalid('amount_too_small', 'Amount must be a positive integer', name);
    }
    return Number(text);
  };

  const routes = (method: string, path: string, form: URLSearchParams): unknown => {
    if (method === 'POST' && path === '/v1/charges') {
      const amount = amountOf(form, 'amount', true) ?? 0;
      const currency = (form.get('currency') ?? '').toLowerCase();
      if (!/^[a-z]{3}$/.test(currency))
        throw invalid('parameter_invalid', 'Bad currency', 'currency');
      const source = form.get('source') ?? '';
      const token = tokens.get(source);
      if (!token) throw invalid('resource_missing', `No such token: '${source}'`, 'source');
      if (token.used) {
        throw invalid('token_already_used', 'You cannot use a token more than once', 'source');
      }
      token.used = true;
      const { card } = token;
      const decline = DECLINES[card.number];
      const charge: Charge = {
        id: id('ch'),
        amount: card.number === TEST_CARDS.prepaid ? Math.min(amount, PREPAID_BALANCE) : amount,
        currency,
        captured: false,
        amountCaptured: 0,
        amountRefunded: 0,
        status: decline ? 'failed' : 'succeeded',
        last4: card.number.slice(-4),
        brand: brandOf(card.number),
        description: form.get('description'),
        refunds: 0,
      };
      charges.set(charge.id, charge);
      if (decline) {
        throw new ApiError(402, {
          type: 'card_error',
          code: decline.code,
          decline_code: decline.decline,
          message: decline.message,
          charge: charge.id,
        });
      }
      if (form.get('capture') !== 'false') {
        charge.captured = true;
        charge.amountCaptured = charge.amount;
      }
      return publicCharge(charge);
    }
    const capture = /^\/v1\/charges\/([A-Za-z0-9_]+)\/capture$/.exec(path);
    const one = /^\/v1\/charges\/([A-Za-z0-9_]+)$/.exec(path);
    const chargeOf = (chargeId: string) => {
      const c = charges.get(chargeId);
      if (!c)
        throw new ApiError(404, {
          type: 'invalid_request_error',
          code: 'resource_missing',
          message: `No such charge: '${chargeId}'`,
        });
      return c;
    };
    if (method === 'POST' && capture?.[1]) {
      const c = chargeOf(capture[1]);
      if (c.captured || c.status !== 'succeeded' || c.amountRefunded > 0) {
        throw invalid('charge_already_captured', 'This charge cannot be captured');
      }
      const take = amountOf(form, 'amount', false) ?? c.amount;
      if (take > c.amount) {
        throw invalid('amount_too_large', 'Capture amount is greater than authorized', 'amount');
      }
      // Stripe's partial capture: the part of the hold not taken goes back to the card.
      c.captured = true;
      c.amountCaptured = take;
      c.amountRefunded = c.amount - take;
      return publicCharge(c);
    }
    if (method === 'GET' && one?.[1]) return publicCharge(chargeOf(one[1]));
    if (method === 'POST' && path === '/v1/refunds') {
      const c = chargeOf(form.get('charge') ?? '');
      const left = c.amount - c.amountRefunded;
      const amount = amountOf(form, 'amount', false) ?? left;
      if (c.status !== 'succeeded' || left <= 0) {
        throw invalid('charge_already_refunded', 'This charge has already been refunded');
      }
      if (amount > left) {
        throw invalid('refund_exceeds_charge', 'Refund amount is greater than unrefunded amount');
      }
      // On a charge not yet captured, a refund releases the hold (its whole amount).
      c.amountRefunded += c.captured ? amount : left;
      return {
        id: id('re'),
        object: 'refund',
        charge: c.id,
        amount: c.captured ? amount : left,
        currency: c.currency,
        status: 'succeeded',
      };
    }
    throw new ApiError(404, {
      type: 'invalid_request_error',
      code: 'resource_missing',
      message: `Unrecognized request URL (${method}: ${path})`,
    });
  };

  const read = async (req: IncomingMessage): Promise<URLSearchParams> => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > 64 * 1024) throw invalid('parameter_invalid', 'Body too large');
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if ((req.headers['content-type'] ?? '').includes('application/json')) {
      const json = JSON.parse(text || '{}') as Record<string, unknown>;
      const out = new URLSearchParams();
      for (const [k, v] of Object.entries(json)) {
        if (v && typeof v === 'object') {
          for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) {
            if (typeof v2 === 'string' || typeof v2 === 'number')
              out.set(`${k}[${k2}]`, String(v2));
          }
        } else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
          out.set(k, String(v));
        }
      }
      return out;
    }
    return new URLSearchParams(text);
  };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://processor');
      const method = req.method ?? 'GET';
      const route = `${method} ${url.pathname.replace(/\/(ch|tok|re)_[A-Za-z0-9]+/, '/{id}')}`;
      counts[route] = (counts[route] ?? 0) + 1;
      let form: URLSearchParams;
      try {
        form = await read(req);
      } catch {
        send(res, 400, {
          error: {
            type: 'invalid_request_error',
            code: 'parameter_invalid',
            message: 'Unreadable body',
          },
        });
        return;
      }
      if (method === 'POST' && url.pathname === '/v1/tokens') {
        // The browser's form post: tokenize, then back to the shop's page.
        const back = form.get('return_url');
        let returnTo: URL | undefined;
        try {
          returnTo = back ? new URL(back) : undefined;
          if (returnTo && returnTo.protocol !== 'http:' && returnTo.protocol !== 'https:') {
            returnTo = undefined;
          }
        } catch {
          returnTo = undefined;
        }
        try {
          const t = tokenize(form);
          if (returnTo) {
            returnTo.searchParams.set('token', t.id);
            res.writeHead(303, { location: returnTo.toString() });
            res.end();
            return;
          }
          send(res, 200, {
            id: t.id,
            object: 'token',
            type: 'card',
            used: false,
            card: {
              brand: brandOf(t.card.number),
              last4: t.card.number.slice(-4),
              exp_month: t.card.expMonth,
              exp_year: t.card.expYear,
            },
          });
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          if (returnTo) {
            returnTo.searchParams.set('error', String(err.body['code']));
            res.writeHead(303, { location: returnTo.toString() });
            res.end();
            return;
          }
          send(res, err.status, { error: err.body });
        }
        return;
      }
      if (outage) {
        send(res, 503, { error: { type: 'api_error', message: 'Service unavailable' } });
        return;
      }
      if (req.headers.authorization !== `Bearer ${secretKey}`) {
        send(res, 401, {
          error: {
            type: 'invalid_request_error',
            code: 'api_key_invalid',
            message: 'Invalid API Key provided',
          },
        });
        return;
      }
      const key = req.headers['idempotency-key'];
      const replayKey =
        typeof key === 'string' && method === 'POST' ? `${url.pathname}\0${key}` : undefined;
      const replay = replayKey ? replays.get(replayKey) : undefined;
      if (replay) {
        res.setHeader('idempotent-replayed', 'true');
        send(res, replay.status, replay.body);
        return;
      }
      let answer: { status: number; body: unknown };
      try {
        answer = { status: 200, body: routes(method, url.pathname, form) };
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        answer = { status: err.status, body: { error: err.body } };
      }
      if (replayKey) replays.set(replayKey, answer);
      send(res, answer.status, answer.body);
    })().catch(() => {
      if (!res.headersSent)
        send(res, 500, { error: { type: 'api_error', message: 'Internal error' } });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    secretKey,
    publishableKey,
    charges: () => [...charges.values()].map(({ refunds: _r, brand: _b, ...c }) => ({ ...c })),
    requests: () => ({ ...counts }),
    setOutage: (on) => {
      outage = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
