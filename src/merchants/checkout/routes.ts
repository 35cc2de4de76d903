import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';
import QRCode from 'qrcode';
import { IdentityError } from '../../identity/errors.js';
import type { IdentityService } from '../../identity/service.js';
import type { HttpApp } from '../../platform/http/app.js';
import type { AppEnv } from '../../platform/http/context.js';
import type { RateLimiter } from '../../platform/http/rate-limit.js';
import { isFailure } from '../../platform/failure.js';
import { MerchantError } from '../errors.js';
import type { Invoice } from '../invoices.js';
import { paymentUri } from '../json.js';
import type { ChainOf } from '../routes/invoices.js';
import type { MerchantsService } from '../service.js';
import type { Html } from './html.js';
import { formatAmount, parseAmount } from '../../ledger/money.js';
import {
  cardForm,
  checkoutPage,
  isFinal,
  isPaid,
  messagePage,
  paymentLinkPage,
  posPage,
  receiptPage,
  shownStatus,
  statusPanel,
  type CheckoutPaths,
  type CheckoutView,
  type PageFrame,
  type WalletBox,
} from './views.js';
import type { InvoiceWatch } from './watch.js';

/** The checkout's own session cookie: a platform session token, sent to `/pay` only. */
export const CHECKOUT_COOKIE = 'vw_checkout';
const HEARTBEAT_MS = 15_000;
/** A stream ends after this long; the browser's EventSource opens a new one. */
const STREAM_MAX_MS = 10 * 60_000;
/** Seconds between reloads of an open page in a browser without script. */
const NOSCRIPT_REFRESH_SECONDS = 10;
const INVOICE_ID = /^inv_[0-9A-HJKMNP-TV-Z]{26}$/;
const LINK_ID = /^plink_[0-9A-HJKMNP-TV-Z]{26}$/;

export interface CheckoutDeps {
  merchants: MerchantsService;
  identity: Pick<IdentityService, 'logIn' | 'authenticate' | 'getUser'>;
  chainOf: ChainOf;
  watch: InvoiceWatch;
  rateLimiter: RateLimiter;
  clock: () => Date;
  /** Payment-page posts (log in, pay, use a link, charge at a till) per client IP a minute. */
  postsPerMinute: number;
  /**
   * The pages' public origin (behind a TLS proxy the request's own is `http://…`); links
   * that leave the site and come back (the card processor's redirect) are built on it.
   */
  publicBaseUrl?: string | undefined;
}

/**
 * The payer's pages, server-rendered HTML on the `api` role: the hosted checkout
 * (`/pay/{invoice}`, test-mode invoices at `/pay/test/{invoice}`), its live status
 * stream, the receipt, payment links (`/pay/l/{link}`) and the point-of-sale till
 * (`/pos/{token}`). Each response has its own CSP nonce; nothing loads from elsewhere.
 */
export function registerCheckoutRoutes(app: HttpApp, deps: CheckoutDeps): void {
  const { merchants } = deps;

  /** Headers and nonce of a page; `formOrigins`: other origins its forms post to (the card processor). */
  const frame = (c: Context<AppEnv>, formOrigins: readonly string[] = []): PageFrame => {
    const nonce = randomBytes(16).toString('base64');
    c.header(
      'content-security-policy',
      [
        "default-src 'none'",
        `script-src 'nonce-${nonce}'`,
        `style-src 'nonce-${nonce}'`,
        "img-src 'self' data:",
        "connect-src 'self'",
        ["form-action 'self'", ...formOrigins].join(' '),
        "base-uri 'none'",
        "frame-ancestors 'none'",
      ].join('; '),
    );
    // Not `no-referrer`: with it, browsers send `Origin: null` on the pages' own form
    // posts, which the origin check must refuse. Other sites still get no referrer.
    c.header('referrer-policy', 'same-origin');
    c.header('x-frame-options', 'DENY');
    c.header('cache-control', 'no-store');
    return { nonce, refreshSeconds: NOSCRIPT_REFRESH_SECONDS };
  };
  const page = (c: Context<AppEnv>, body: Html, status: 200 | 400 | 403 | 404 | 410 | 429 = 200) =>
    c.html(body, status);
  const notFound = (c: Context<AppEnv>, what = 'invoice') =>
    page(
      c,
      messagePage(
        frame(c),
        'Not found',
        `There is no ${what} at this address. Check the link the shop gave you.`,
      ),
      404,
    );

  const pathsOf = (inv: Pick<Invoice, 'id' | 'livemode'>): CheckoutPaths => {
    const base = inv.livemode ? `/pay/${inv.id}` : `/pay/test/${inv.id}`;
    return {
      page: base,
      events: `${base}/events`,
      receipt: `${base}/receipt`,
      login: `${base}/login`,
      wallet: `${base}/wallet`,
      card: `${base}/card`,
    };
  };

  const findInvoice = async (id: string, livemode: boolean) => {
    if (!INVOICE_ID.test(id)) return undefined;
    const inv = await merchants.invoices.find(id);
    return inv?.livemode === livemode ? inv : undefined;
  };
  const merchantName = async (id: string) =>
    (await merchants.directory.get(id))?.name ?? 'Merchant';

  /** The on-chain part of a page: the chosen asset's EIP-681 request as a QR code. */
  const chainPart = async (inv: Invoice, wanted: string | undefined) => {
    const onChain = inv.options.filter((o) => o.onChain);
    const option = onChain.find((o) => o.asset === wanted) ?? onChain[0];
    const chain = option ? deps.chainOf(inv.chainKey, option.asset) : undefined;
    if (!option || !chain || !inv.address) return { chain: undefined, others: [] };
    const due = option.amountDue > option.amountPaid ? option.amountDue - option.amountPaid : 0n;
    const uri = paymentUri(chain, inv.address, due);
    const qrSvg = await QRCode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    return {
      chain: { option, uri, qrSvg },
      others: onChain.filter((o) => o !== option).map((o) => o.asset),
    };
  };

  /** The payer behind the checkout cookie, when it holds a live session. */
  const payer = async (c: Context<AppEnv>) => {
    const token = getCookie(c, CHECKOUT_COOKIE);
    if (!token) return undefined;
    const p = await deps.identity.authenticate(token);
    if (p?.kind !== 'user' || p.via !== 'session') return undefined;
    const user = await deps.identity.getUser(p.userId);
    return user ? { token, userId: p.userId, email: user.email } : undefined;
  };
  /** Ties a form to the session and the invoice: a page of another site cannot know it. */
  const csrfFor = (sessionToken: string, invoiceId: string) =>
    createHash('sha256')
      .update(`vw-checkout-csrf\0${sessionToken}\0${invoiceId}`)
      .digest('base64url');
  const sameToken = (a: string, b: string) =>
    a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

  /** A post from another site is refused (the browser names its origin). */
  const foreignOrigin = (c: Context<AppEnv>) => {
    const origin = c.req.header('origin');
    if (!origin || origin === 'null') return origin === 'null';
    try {
      return new URL(origin).host !== (c.req.header('host') ?? new URL(c.req.url).host);
    } catch {
      return true;
    }
  };
  const publicBase = deps.publicBaseUrl ? new URL(deps.publicBaseUrl).origin : undefined;
  /** The origin payers reach the pages at: the configured one, else the request's. */
  const publicOrigin = (c: Context<AppEnv>) => publicBase ?? new URL(c.req.url).origin;
  const throttled = async (c: Context<AppEnv>) =>
    !(await deps.rateLimiter.take(`checkout:${c.get('clientIp')}`, deps.postsPerMinute)).ok;
  const formText = (form: Record<string, unknown>, name: string, max = 500) => {
    const v = form[name];
    return typeof v === 'string' ? v.slice(0, max) : undefined;
  };

  const checkoutView = async (
    c: Context<AppEnv>,
    inv: Invoice,
    wallet: WalletBox | undefined,
  ): Promise<CheckoutView> => {
    const now = deps.clock();
    const { chain, others } = await chainPart(inv, c.req.query('asset'));
    const status = shownStatus(inv, now);
    const tokenizer = merchants.cards.tokenizer(inv.livemode);
    const due = inv.amount - inv.paidValue - inv.pendingValue;
    // A part of what is due, chosen with the form under the card form (no script: the
    // page is asked again with `card_amount`, and the processor's return URL carries it).
    const part = cardPart(c.req.query('card_amount'), due, inv.currencyScale);
    const text = (a: bigint) => `${formatAmount(a, inv.currencyScale)} ${inv.currency}`;
    const card =
      tokenizer && merchants.cards.accepts(inv) && !isFinal(status) && due > 0n
        ? cardForm({
            action: tokenizer.action,
            processorHost: new URL(tokenizer.origin).host,
            publishableKey: tokenizer.publishableKey,
            returnUrl:
              `${publicOrigin(c)}${pathsOf(inv).card}` +
              (part.amount !== undefined
                ? `?amount=${formatAmount(part.amount, inv.currencyScale)}`
                : ''),
            due: text(part.amount ?? due),
            rest:
              part.amount !== undefined && part.amount < due ? text(due - part.amount) : undefined,
            currency: inv.currency,
            page: pathsOf(inv).page,
            part: part.amount !== undefined ? formatAmount(part.amount, inv.currencyScale) : '',
            partError: part.error,
            error: cardErrorText(c.req.query('card_error')),
          })
        : undefined;
    return {
      inv,
      merchantName: await merchantName(inv.merchantId),
      status: shownStatus(inv, now),
      now,
      paths: pathsOf(inv),
      chain,
      otherChainAssets: others,
      wallet,
      cardForm: card,
    };
  };
  /** The card processor's origin when the page shows its form (the CSP must allow the post). */
  const cardOrigins = (v: CheckoutView) => {
    const t = v.cardForm ? merchants.cards.tokenizer(v.inv.livemode) : undefined;
    return t ? [t.origin] : [];
  };

  const walletBoxFor = async (c: Context<AppEnv>, inv: Invoice): Promise<WalletBox | undefined> => {
    if (!inv.livemode) return undefined;
    const error = WALLET_ERRORS[c.req.query('error') ?? ''];
    const who = await payer(c);
    return who
      ? { user: { email: who.email }, csrf: csrfFor(who.token, inv.id), error }
      : { error };
  };

  for (const livemode of [true, false]) {
    const prefix = livemode ? '/pay' : '/pay/test';

    app.get(`${prefix}/:invoice/events`, async (c) => {
      const id = c.req.param('invoice');
      const first = await findInvoice(id, livemode);
      if (!first) return c.text('No such invoice', 404);
      // Set by the watch (a closure): an object, so the loop reads it afresh.
      const state = { changed: true };
      let wake = () => {};
      const sub = deps.watch.watch(id, () => {
        state.changed = true;
        wake();
      });
      if (!sub) {
        c.header('retry-after', '30');
        return c.text('Too many open status streams; reload the page later', 503);
      }
      c.header('cache-control', 'no-store');
      c.header('x-accel-buffering', 'no');
      return streamSSE(c, async (stream) => {
        stream.onAbort(() => {
          sub.stop();
          wake();
        });
        const deadline = Date.now() + STREAM_MAX_MS;
        const changedNow = () => state.changed;
        const abortedNow = () => stream.aborted;
        try {
          await stream.write('retry: 3000\n\n');
          while (!stream.aborted && Date.now() < deadline) {
            if (state.changed) {
              state.changed = false;
              const inv = await findInvoice(id, livemode);
              if (!inv) break;
              const status = shownStatus(inv, deps.clock());
              const final = isFinal(status);
              await stream.writeSSE({
                event: 'status',
                data: JSON.stringify({
                  status,
                  final,
                  html: String(statusPanel(inv, status, pathsOf(inv))),
                }),
              });
              if (final) break;
            }
            await new Promise<void>((resolve) => {
              const t = setTimeout(resolve, HEARTBEAT_MS);
              wake = () => {
                clearTimeout(t);
                resolve();
              };
            });
            // Read through functions: the watch and the abort change these while we wait.
            if (!changedNow() && !abortedNow()) await stream.write(': heartbeat\n\n');
          }
        } finally {
          sub.stop();
        }
      });
    });

    app.get(`${prefix}/:invoice/receipt`, async (c) => {
      const inv = await findInvoice(c.req.param('invoice'), livemode);
      if (!inv) return notFound(c);
      if (!isPaid(shownStatus(inv, deps.clock()))) return c.redirect(pathsOf(inv).page, 303);
      return page(
        c,
        receiptPage(frame(c), {
          inv,
          merchantName: await merchantName(inv.merchantId),
          checkout: pathsOf(inv).page,
        }),
      );
    });

    app.get(`${prefix}/:invoice`, async (c) => {
      const inv = await findInvoice(c.req.param('invoice'), livemode);
      if (!inv) return notFound(c);
      const view = await checkoutView(c, inv, await walletBoxFor(c, inv));
      return page(c, checkoutPage(frame(c, cardOrigins(view)), view));
    });

    // The card processor sends the payer's browser back here with a single-use token
    // (or the reason it refused the card), and `amount` when only part of what is due is
    // to be charged. The token is charged at once: a reload finds
    // the payment the token already made. Either way the payer lands on the page.
    app.get(`${prefix}/:invoice/card`, async (c) => {
      const inv = await findInvoice(c.req.param('invoice'), livemode);
      if (!inv) return notFound(c);
      const back = pathsOf(inv).page;
      const refusedAt = c.req.query('error');
      if (refusedAt !== undefined) {
        const code = /^[a-z_]{1,40}$/.test(refusedAt) ? refusedAt : 'card_declined';
        return c.redirect(`${back}?card_error=${code}#card`, 303);
      }
      const token = c.req.query('token') ?? '';
      if (!CARD_TOKEN.test(token)) return c.redirect(`${back}?card_error=token#card`, 303);
      if (await throttled(c)) return c.redirect(`${back}?card_error=rate_limited#card`, 303);
      // A part of what is due, when the return URL names one (a payer splitting the bill).
      const r = await merchants.cards.pay(inv.id, livemode, token, c.req.query('amount'));
      if (!isFailure(r)) return c.redirect(back, 303);
      const reason = r.code === MerchantError.CardDeclined ? declineReason(r.message) : r.code;
      return c.redirect(`${back}?card_error=${reason}#card`, 303);
    });
  }

  // Paying from a Vaultwire wallet (live invoices): log in here, then pay with a form
  // that carries a token tied to the session and the invoice.
  app.post('/pay/:invoice/login', async (c) => {
    const inv = await findInvoice(c.req.param('invoice'), true);
    if (!inv) return notFound(c);
    const back = pathsOf(inv).page;
    if (foreignOrigin(c))
      return page(
        c,
        messagePage(frame(c), 'Refused', 'This form was sent from another site.'),
        403,
      );
    if (await throttled(c)) return c.redirect(`${back}?error=rate_limited#wallet`, 303);
    const form = await c.req.parseBody();
    const email = formText(form, 'email', 320) ?? '';
    const password = formText(form, 'password', 1000) ?? '';
    const code = formText(form, 'code', 12)?.trim();
    const r = await deps.identity.logIn(
      { email, password, totpCode: code || undefined, userAgent: c.req.header('user-agent') },
      { type: 'anonymous', ip: c.get('clientIp'), requestId: c.get('requestId') },
    );
    if (isFailure(r)) {
      const which =
        r.code === IdentityError.TotpRequired || r.code === IdentityError.TotpInvalid
          ? 'totp'
          : 'login';
      return c.redirect(`${back}?error=${which}#wallet`, 303);
    }
    setCookie(c, CHECKOUT_COOKIE, r.token, {
      httpOnly: true,
      sameSite: 'Lax',
      path: '/pay',
      secure: new URL(c.req.url).protocol === 'https:',
      maxAge: Math.max(0, Math.floor((r.session.expiresAt.getTime() - Date.now()) / 1000)),
    });
    return c.redirect(`${back}#wallet`, 303);
  });

  app.post('/pay/:invoice/wallet', async (c) => {
    const inv = await findInvoice(c.req.param('invoice'), true);
    if (!inv) return notFound(c);
    const back = pathsOf(inv).page;
    const who = await payer(c);
    const form = await c.req.parseBody();
    const csrf = formText(form, 'csrf', 100) ?? '';
    if (foreignOrigin(c) || !who || !sameToken(csrf, csrfFor(who.token, inv.id))) {
      return page(
        c,
        messagePage(
          frame(c),
          'Refused',
          'This payment form was not sent from your payment page. Go back and try again.',
        ),
        403,
      );
    }
    if (await throttled(c)) return c.redirect(`${back}?error=rate_limited#wallet`, 303);
    const r = await merchants.invoices.payFromWallet(who.userId, inv.id, {
      asset: formText(form, 'asset', 16) ?? '',
    });
    if (isFailure(r)) return c.redirect(`${back}?error=${r.code}#wallet`, 303);
    return c.redirect(back, 303);
  });

  // Payment links: the page says what is paid; its form makes the visitor's invoice.
  const linkOf = async (c: Context<AppEnv>) => {
    const id = c.req.param('link') ?? '';
    return LINK_ID.test(id) ? merchants.links.find(id) : undefined;
  };
  const linkGone = (c: Context<AppEnv>, usedUp: boolean) =>
    page(
      c,
      messagePage(
        frame(c),
        'Link no longer active',
        usedUp
          ? 'This payment link has been used as many times as the shop allowed.'
          : 'The shop has turned this payment link off. Ask them for a new one.',
      ),
      410,
    );
  app.get('/pay/l/:link', async (c) => {
    const link = await linkOf(c);
    if (!link) return notFound(c, 'payment link');
    if (!link.active) return linkGone(c, false);
    if (link.maxUses !== null && link.uses >= link.maxUses) return linkGone(c, true);
    return page(
      c,
      paymentLinkPage(frame(c), {
        link,
        merchantName: await merchantName(link.merchantId),
        action: `/pay/l/${link.id}`,
      }),
    );
  });
  app.post('/pay/l/:link', async (c) => {
    const link = await linkOf(c);
    if (!link) return notFound(c, 'payment link');
    if (foreignOrigin(c))
      return page(
        c,
        messagePage(frame(c), 'Refused', 'This form was sent from another site.'),
        403,
      );
    if (await throttled(c)) {
      return page(c, messagePage(frame(c), 'Slow down', 'Too many attempts; wait a minute.'), 429);
    }
    const form = await c.req.parseBody();
    const r = await merchants.links.use(link.id, { amount: formText(form, 'amount', 80) });
    if (!isFailure(r)) return c.redirect(pathsOf(r).page, 303);
    if (r.code === MerchantError.PaymentLinkInactive) return linkGone(c, false);
    if (r.code === MerchantError.PaymentLinkUsedUp) return linkGone(c, true);
    return page(
      c,
      paymentLinkPage(frame(c), {
        link,
        merchantName: await merchantName(link.merchantId),
        action: `/pay/l/${link.id}`,
        error: AMOUNT_ERRORS[r.code] ?? 'This amount cannot be paid; check it and try again.',
      }),
      400,
    );
  });

  // The till: the token in the path is the credential, so the access log shows a mask.
  const till = async (c: Context<AppEnv>) => {
    c.set('logPath', '/pos/…');
    return merchants.terminals.authenticate(c.req.param('token') ?? '');
  };
  const tillPage = async (
    c: Context<AppEnv>,
    terminal: NonNullable<Awaited<ReturnType<typeof till>>>,
    sale: Invoice | undefined,
    error?: string,
  ) => {
    const scale = (await merchants.currencyScale(terminal.currency)) ?? 2;
    return page(
      c,
      posPage(frame(c), {
        terminal,
        merchantName: await merchantName(terminal.merchantId),
        action: c.req.path,
        scale,
        error,
        sale: sale ? await checkoutView(c, sale, undefined) : undefined,
      }),
      error ? 400 : 200,
    );
  };
  app.get('/pos/:token', async (c) => {
    const terminal = await till(c);
    if (!terminal) return notFound(c, 'till');
    const saleId = c.req.query('invoice');
    const sale = saleId ? await merchants.terminals.invoice(terminal, saleId) : undefined;
    return tillPage(c, terminal, sale);
  });
  app.post('/pos/:token', async (c) => {
    const terminal = await till(c);
    if (!terminal) return notFound(c, 'till');
    if (foreignOrigin(c))
      return page(
        c,
        messagePage(frame(c), 'Refused', 'This form was sent from another site.'),
        403,
      );
    const form = await c.req.parseBody();
    const r = await merchants.terminals.charge(terminal, {
      amount: (formText(form, 'amount', 80) ?? '').trim(),
      description: formText(form, 'description', 200)?.trim() || undefined,
    });
    if (isFailure(r)) {
      return tillPage(
        c,
        terminal,
        undefined,
        AMOUNT_ERRORS[r.code] ?? 'This sale cannot be made; check the amount.',
      );
    }
    return c.redirect(`${c.req.path}?invoice=${r.id}`, 303);
  });
}

const CARD_TOKEN = /^tok_[A-Za-z0-9]{1,100}$/;

/** The processor's reason in a decline (`Declined: insufficient_funds`), for the page. */
function declineReason(message: string | undefined): string {
  const m = /^Declined: ([a-z_]{1,40})$/.exec(message ?? '');
  return m?.[1] ?? MerchantError.CardDeclined;
}

const CARD_ERRORS: Partial<Record<string, string>> = {
  card_declined: 'Your card was declined. Try another card or another way to pay.',
  insufficient_funds: 'Your card was declined for insufficient funds.',
  expired_card: 'Your card has expired.',
  incorrect_cvc: 'The security code is not right.',
  invalid_cvc: 'The security code is not right.',
  processing_error: 'The card could not be processed. Try again.',
  incorrect_number: 'The card number is not right.',
  invalid_expiry_month: 'The expiry date is not right.',
  invalid_expiry_year: 'The expiry date is not right (or the card has expired).',
  token: 'The card could not be read. Enter it again.',
  rate_limited: 'Too many attempts; wait a minute and try again.',
  [MerchantError.CardTokenInvalid]: 'The card could not be read. Enter it again.',
  [MerchantError.CardProcessorUnavailable]:
    'The card processor cannot be reached; the payment will be completed or released shortly.',
  [MerchantError.CardPaymentsUnavailable]: 'This invoice cannot be paid by card.',
  [MerchantError.InvoiceExpired]: 'The invoice has expired.',
  [MerchantError.InvoiceNotPayable]: 'Nothing is left to pay on this invoice.',
  [MerchantError.AmountAboveDue]: 'That is more than the invoice still owes.',
};

function cardErrorText(code: string | undefined): string | undefined {
  if (code === undefined) return undefined;
  return (
    CARD_ERRORS[code] ??
    AMOUNT_ERRORS[code] ??
    'The card could not be used. Try again or pay another way.'
  );
}

/** The part of what is due the payer asked to pay by card (`card_amount`), or why not. */
function cardPart(
  text: string | undefined,
  due: bigint,
  scale: number,
): { amount?: bigint; error?: string } {
  if (text === undefined || text.trim() === '') return {};
  const parsed = parseAmount(text.trim(), scale);
  if (!parsed.ok) return { error: AMOUNT_ERRORS[parsed.code] ?? 'Enter a valid amount.' };
  if (parsed.value <= 0n) return { error: AMOUNT_ERRORS[MerchantError.AmountZero] };
  if (parsed.value > due) return { error: CARD_ERRORS[MerchantError.AmountAboveDue] };
  return { amount: parsed.value };
}

const AMOUNT_ERRORS: Partial<Record<string, string>> = {
  [MerchantError.AmountRequired]: 'Enter the amount to pay.',
  [MerchantError.AmountMalformed]: 'Enter the amount as a number, such as 12.50.',
  [MerchantError.AmountNegative]: 'The amount must be more than zero.',
  [MerchantError.AmountZero]: 'The amount must be more than zero.',
  [MerchantError.AmountTooPrecise]: 'The amount has too many decimals.',
  [MerchantError.AmountTooLarge]: 'The amount is too large.',
  [MerchantError.PriceUnavailable]: 'No exchange rate is available right now; try again shortly.',
  [MerchantError.CardNumberInText]:
    'The note looks like a card number. Never type card numbers here: remove it.',
};

const WALLET_ERRORS: Partial<Record<string, string>> = {
  login: 'The email or password is not right.',
  totp: 'Enter the 6-digit code from your authenticator app.',
  rate_limited: 'Too many attempts; wait a minute and try again.',
  [MerchantError.InsufficientFunds]: 'Your balance in this asset does not cover the invoice.',
  [MerchantError.InvoiceExpired]: 'The invoice has expired.',
  [MerchantError.InvoiceNotPayable]: 'The invoice is already paid.',
  [MerchantError.AccountFrozen]: 'Your account is frozen.',
  [MerchantError.AssetNotEnabled]: 'The invoice does not accept this asset.',
  [MerchantError.AssetUnknown]: 'The invoice does not accept this asset.',
};
