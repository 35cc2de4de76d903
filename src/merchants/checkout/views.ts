import { formatAmount, type Rate } from '../../ledger/money.js';
import type { Invoice, InvoiceOption } from '../invoices.js';
import type { PaymentLink } from '../links.js';
import type { PosTerminal } from '../terminals.js';
import { html, raw, type Html } from './html.js';
import { CHECKOUT_JS } from './script.js';
import { CHECKOUT_CSS } from './style.js';

/** Everything a page needs besides its own data. */
export interface PageFrame {
  /** The CSP nonce of this response (inline style and script carry it). */
  nonce: string;
  /** Seconds after which a browser without script reloads the page (live status). */
  refreshSeconds?: number | undefined;
}

export function layout(frame: PageFrame, title: string, body: Html, testMode = false): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <meta name="robots" content="noindex" />
        <title>${title}</title>
        <style nonce="${frame.nonce}">
          ${raw(CHECKOUT_CSS)}
        </style>
        ${frame.refreshSeconds ? html`<noscript><meta http-equiv="refresh" content="${frame.refreshSeconds}" /></noscript>` : ''}
      </head>
      <body>
        ${testMode ? html`<div class="test-banner" role="note">Test mode: no real money moves</div>` : ''}
        <main>${body}</main>
        <footer class="muted">Payments by Vaultwire</footer>
        <script nonce="${frame.nonce}">
          ${raw(CHECKOUT_JS)};
        </script>
      </body>
    </html>`;
}

/** The states a payer sees; an open invoice past its expiry reads as expired already. */
export type ShownStatus = Invoice['status'];

export function shownStatus(inv: Invoice, now: Date): ShownStatus {
  if ((inv.status === 'open' || inv.status === 'processing') && now >= inv.expiresAt) {
    if (inv.status === 'processing') return 'processing';
    return inv.paidValue > 0n ? 'underpaid' : 'expired';
  }
  return inv.status;
}

export const isFinal = (s: ShownStatus) =>
  s === 'paid' || s === 'overpaid' || s === 'paid_late' || s === 'underpaid' || s === 'expired';
export const isPaid = (s: ShownStatus) => s === 'paid' || s === 'overpaid' || s === 'paid_late';

export const money = (amount: bigint, scale: number, code: string, trim = false) =>
  `${formatAmount(amount, scale, { trim })} ${code}`;

/** "1 ETH = 3200.00 USD" from a locked rate (pricing currency per whole asset unit). */
function rateLine(o: InvoiceOption, currency: string, currencyScale: number): string {
  const r: Rate = o.rate;
  const minor = (r.numerator * 10n ** BigInt(currencyScale)) / r.denominator;
  return `1 ${o.asset} = ${money(minor, currencyScale, currency)}`;
}

/** A redirect back to the merchant only when it is an http(s) URL. */
function safeUrl(url: string | null): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** The status box: rendered in the page and sent again, as HTML, by the live stream. */
export function statusPanel(inv: Invoice, status: ShownStatus, paths: CheckoutPaths): Html {
  const total = money(inv.amount, inv.currencyScale, inv.currency);
  const paid = money(inv.paidValue, inv.currencyScale, inv.currency);
  const back = safeUrl(inv.redirectUrl);
  switch (status) {
    case 'open':
      return html`<div class="status status-open">
        <span data-status="open">Waiting for payment</span>
        ${inv.paidValue > 0n ? html`<p>${paid} of ${total} received. The rest is still due.</p>` : ''}
      </div>`;
    case 'processing':
      return html`<div class="status status-processing">
        <span data-status="processing">Payment seen, waiting for confirmations</span>
        <p>This takes a few blocks. You can keep this page open.</p>
      </div>`;
    case 'paid':
    case 'overpaid':
    case 'paid_late':
      return html`<div class="status status-paid">
        <span data-status="${status}">Paid</span>
        <p>
          ${status === 'overpaid' ? `Received ${paid}, more than the ${total} due. ` : ''}${status === 'paid_late' ? 'The payment arrived after the invoice expired and was accepted. ' : ''}Thank
          you.
        </p>
        <p class="row">
          <a href="${paths.receipt}">See the receipt</a
          >${back ? html` · <a href="${back}">Back to the shop</a>` : ''}
        </p>
      </div>`;
    case 'underpaid':
      return html`<div class="status status-bad">
        <span data-status="underpaid">Underpaid</span>
        <p>
          The invoice expired with ${paid} of ${total} received. Contact the shop about the rest or
          a refund.
        </p>
      </div>`;
    case 'expired':
      return html`<div class="status status-bad">
        <span data-status="expired">This invoice has expired</span>
        <p>Nothing was paid. Ask the shop for a new one.</p>
        ${back ? html`<p><a href="${back}">Back to the shop</a></p>` : ''}
      </div>`;
  }
}

export interface CheckoutPaths {
  page: string;
  events: string;
  receipt: string;
  login: string;
  wallet: string;
  /** Where the card processor sends the payer back with a card token. */
  card: string;
}

export interface WalletBox {
  /** Signed-in payer (the checkout's session cookie), else the login form is shown. */
  user?: { email: string } | undefined;
  csrf?: string | undefined;
  error?: string | undefined;
}

export interface CheckoutView {
  inv: Invoice;
  merchantName: string;
  status: ShownStatus;
  now: Date;
  paths: CheckoutPaths;
  /** The selected on-chain option and its QR code (SVG, from the server). */
  chain?: { option: InvoiceOption; uri: string; qrSvg: string } | undefined;
  /** Other on-chain assets, to switch the QR code to (`?asset=`). */
  otherChainAssets: string[];
  /** Paying from a Vaultwire wallet: live invoices only. */
  wallet?: WalletBox | undefined;
  /**
   * Card payments: the form that posts the card to the processor directly (the
   * CardProcessor integration renders it); nothing is shown while it is absent.
   */
  cardForm?: Html | undefined;
}

/** What the card form needs: where it posts (the processor, never Vaultwire) and how back. */
export interface CardFormInput {
  /** The processor's tokenizer (`…/v1/tokens`). */
  action: string;
  /** The processor's host, named to the payer. */
  processorHost: string;
  publishableKey: string;
  /** Absolute URL of this invoice's card return (`…/pay/{invoice}/card`). */
  returnUrl: string;
  /** What the card is charged, in the invoice's currency (all that is due, or a part). */
  due: string;
  /** What will still be due after a part is paid by card (undefined: the card pays it all). */
  rest?: string | undefined;
  /** The invoice's currency, for the part form's label. */
  currency: string;
  /** The checkout page's path (the part form asks it again with `card_amount`). */
  page: string;
  /** The part chosen, as typed back into the part form ('' when none). */
  part: string;
  /** Why the part asked for was not taken. */
  partError?: string | undefined;
  error?: string | undefined;
}

/**
 * The card form for `CheckoutView.cardForm`: a plain HTML form whose `action` is the card
 * processor's tokenizer, so the card number goes from the payer's browser to the
 * processor and never to this server; the processor sends the browser back to
 * `returnUrl` with a single-use token. Works without script.
 */
export function cardForm(f: CardFormInput): Html {
  const invalid = f.error ? raw(' aria-invalid="true" aria-describedby="card-error"') : '';
  return html`${f.error ? html`<p class="error" id="card-error" role="alert">${f.error}</p>` : ''}
    <form method="post" action="${f.action}" autocomplete="on">
      <input type="hidden" name="key" value="${f.publishableKey}" />
      <input type="hidden" name="return_url" value="${f.returnUrl}" />
      <label for="card-number">Card number</label>
      <input
        id="card-number"
        name="card[number]"
        inputmode="numeric"
        autocomplete="cc-number"
        maxlength="23"
        pattern="[0-9 -]{12,23}"
        required${invalid}
      />
      <label for="card-exp">Expiry date (MM/YY)</label>
      <input
        id="card-exp"
        name="card[exp]"
        autocomplete="cc-exp"
        placeholder="MM/YY"
        maxlength="7"
        pattern="[0-9]{1,2} ?/ ?([0-9]{2}|[0-9]{4})"
        required
      />
      <label for="card-cvc">Security code</label>
      <input
        id="card-cvc"
        name="card[cvc]"
        inputmode="numeric"
        autocomplete="cc-csc"
        maxlength="4"
        pattern="[0-9]{3,4}"
        required
      />
      <p class="muted">
        Your card details go straight to our card processor (${f.processorHost}); the shop and
        Vaultwire never see the card number.
      </p>
      <p><button type="submit">Pay ${f.due} by card</button></p>
      ${f.rest ? html`<p class="muted">${f.rest} will still be due, to pay another way.</p>` : ''}
    </form>
    <form method="get" action="${f.page}#card">
      ${f.partError ? html`<p class="error" id="card-part-error" role="alert">${f.partError}</p>` : ''}
      <label for="card-part">Pay only part by card (${f.currency})</label>
      <input
        id="card-part"
        name="card_amount"
        inputmode="decimal"
        value="${f.part}"
        pattern="[0-9]+([.][0-9]+)?"
        required${f.partError ? raw(' aria-invalid="true" aria-describedby="card-part-error"') : ''}
      />
      <p><button type="submit">Use this amount</button></p>
    </form>`;
}

function remaining(inv: Invoice, now: Date): string {
  const left = Math.max(0, Math.round((inv.expiresAt.getTime() - now.getTime()) / 1000));
  const h = Math.floor(left / 3600);
  const m = Math.floor((left % 3600) / 60);
  const s = String(left % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export function checkoutPage(frame: PageFrame, v: CheckoutView): Html {
  const { inv } = v;
  const final = isFinal(v.status);
  const hiddenIfFinal = final ? raw(' hidden') : '';
  const chainBox = v.chain
    ? html`<section class="card" aria-labelledby="chain-h" data-while-open${hiddenIfFinal}>
        <h2 id="chain-h">
          Pay
          ${money(remainingDue(v.chain.option), v.chain.option.scale, v.chain.option.asset, true)}
          on chain
        </h2>
        <p class="muted">Scan with a wallet app, or send to the address below.</p>
        <div class="qr" role="img" aria-label="QR code of the payment request">
          ${raw(v.chain.qrSvg)}
        </div>
        <p><a href="${v.chain.uri}">Open in a wallet app</a></p>
        <p><strong>Address</strong></p>
        <p class="mono" id="address">${inv.address}</p>
        <p class="row">
          <button type="button" class="secondary" data-copy="${inv.address}" hidden>
            Copy address
          </button>
          <button
            type="button"
            class="secondary"
            data-copy="${formatAmount(remainingDue(v.chain.option), v.chain.option.scale, { trim: true })}"
            hidden
          >
            Copy amount
          </button>
        </p>
        ${v.otherChainAssets.length > 0 ? html`<p class="muted">Pay in ${v.otherChainAssets.map((a, i) => html`${i > 0 ? ', ' : ''}<a href="${v.paths.page}?asset=${encodeURIComponent(a)}">${a}</a>`)} instead.</p>` : ''}
      </section>`
    : '';
  return layout(
    { ...frame, refreshSeconds: final ? undefined : frame.refreshSeconds },
    `Pay ${v.merchantName}`,
    html`<div data-events="${final ? '' : v.paths.events}">
      <section class="card" aria-labelledby="title">
        <p class="muted">${v.merchantName}</p>
        <h1 id="title">${inv.description ?? 'Payment'}</h1>
        ${inv.orderId ? html`<p class="muted">Order ${inv.orderId}</p>` : ''}
        <p class="amount">${money(inv.amount, inv.currencyScale, inv.currency)}</p>
        <div id="status-panel" role="status" aria-live="polite">
          ${statusPanel(inv, v.status, v.paths)}
        </div>
        <p data-while-open${hiddenIfFinal}>
          Expires in
          <time id="countdown" role="timer" datetime="${inv.expiresAt.toISOString()}"
            >${remaining(inv, v.now)}</time
          >
        </p>
        <noscript
          ><p>
            <a href="${v.paths.page}">Check the status again</a> (this page also reloads by itself).
          </p></noscript
        >
      </section>
      ${chainBox} ${walletBox(v, hiddenIfFinal)}
      ${
        v.cardForm
          ? html`<section
              class="card"
              id="card"
              aria-labelledby="card-h"
              data-while-open${hiddenIfFinal}
            >
              <h2 id="card-h">Pay by card</h2>
              ${v.cardForm}
            </section>`
          : ''
      }
      <section class="card" aria-labelledby="options-h">
        <h2 id="options-h">Amount in each accepted asset</h2>
        <p class="muted">Rates are locked until the invoice expires.</p>
        <ul class="options">
          ${inv.options.map(
            (o) =>
              html`<li>
                <span
                  ><strong>${money(o.amountDue, o.scale, o.asset, true)}</strong
                  >${o.amountPaid > 0n ? html` <span class="muted">(${money(o.amountPaid, o.scale, o.asset, true)} paid)</span>` : ''}</span
                >
                <span class="muted"
                  >${o.asset === inv.currency ? '' : rateLine(o, inv.currency, inv.currencyScale)}</span
                >
              </li>`,
          )}
        </ul>
      </section>
      <p class="muted">Invoice <span class="mono">${inv.id}</span></p>
    </div>`,
    !inv.livemode,
  );
}

function remainingDue(o: InvoiceOption): bigint {
  return o.amountDue > o.amountPaid ? o.amountDue - o.amountPaid : 0n;
}

function walletBox(v: CheckoutView, hiddenIfFinal: Html | string): Html | string {
  if (!v.wallet) return '';
  const w = v.wallet;
  const error = w.error ? html`<p class="error" role="alert">${w.error}</p>` : '';
  if (w.user && w.csrf) {
    return html`<section
      class="card"
      id="wallet"
      aria-labelledby="wallet-h"
      data-while-open${hiddenIfFinal}
    >
      <h2 id="wallet-h">Pay with your Vaultwire wallet</h2>
      <p class="muted">Signed in as ${w.user.email}</p>
      ${error}
      <form method="post" action="${v.paths.wallet}">
        <input type="hidden" name="csrf" value="${w.csrf}" />
        <label for="wallet-asset">Pay from your balance in</label>
        <select id="wallet-asset" name="asset">
          ${v.inv.options.map((o) => html`<option value="${o.asset}">${o.asset}: ${money(remainingDue(o), o.scale, o.asset, true)}</option>`)}
        </select>
        <p><button type="submit">Pay with Vaultwire wallet</button></p>
      </form>
    </section>`;
  }
  return html`<section
    class="card"
    id="wallet"
    aria-labelledby="wallet-h"
    data-while-open${hiddenIfFinal}
  >
    <h2 id="wallet-h">Pay with your Vaultwire wallet</h2>
    <p class="muted">Log in to pay from your balance at once.</p>
    ${error}
    <form method="post" action="${v.paths.login}">
      <label for="login-email">Email</label>
      <input id="login-email" name="email" type="email" autocomplete="email" required />
      <label for="login-password">Password</label>
      <input
        id="login-password"
        name="password"
        type="password"
        autocomplete="current-password"
        required
      />
      <label for="login-code">Two-factor code (if you use one)</label>
      <input
        id="login-code"
        name="code"
        inputmode="numeric"
        autocomplete="one-time-code"
        pattern="[0-9]{6}"
      />
      <p><button type="submit">Log in to pay</button></p>
    </form>
  </section>`;
}

export function receiptPage(
  frame: PageFrame,
  v: { inv: Invoice; merchantName: string; checkout: string },
): Html {
  const { inv } = v;
  const confirmed = inv.payments.filter((p) => p.status === 'confirmed');
  return layout(
    frame,
    `Receipt: ${v.merchantName}`,
    html`<section class="card" aria-labelledby="title">
        <p class="muted">${v.merchantName}</p>
        <h1 id="title">Receipt</h1>
        <p class="amount">${money(inv.amount, inv.currencyScale, inv.currency)}</p>
        <table>
          <caption class="muted">
            Invoice details
          </caption>
          <tbody>
            <tr>
              <th scope="row">Invoice</th>
              <td class="mono">${inv.id}</td>
            </tr>
            ${
              inv.description
                ? html`<tr>
                    <th scope="row">For</th>
                    <td>${inv.description}</td>
                  </tr>`
                : ''
            }
            ${
              inv.orderId
                ? html`<tr>
                    <th scope="row">Order</th>
                    <td>${inv.orderId}</td>
                  </tr>`
                : ''
            }
            <tr>
              <th scope="row">Paid</th>
              <td>${money(inv.paidValue, inv.currencyScale, inv.currency)}</td>
            </tr>
            <tr>
              <th scope="row">Date</th>
              <td>
                <time datetime="${(inv.paidAt ?? inv.createdAt).toISOString()}"
                  >${(inv.paidAt ?? inv.createdAt).toISOString().replace('T', ' ').slice(0, 16)}
                  UTC</time
                >
              </td>
            </tr>
          </tbody>
        </table>
      </section>
      <section class="card" aria-labelledby="payments-h">
        <h2 id="payments-h">Payments</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Paid with</th>
              <th scope="col">How</th>
              <th scope="col" class="num">Amount</th>
            </tr>
          </thead>
          <tbody>
            ${confirmed.map((p) => {
              const o = inv.options.find((x) => x.asset === p.asset);
              return html`<tr>
                <td>${p.asset}</td>
                <td>
                  ${p.method === 'chain' ? html`on chain${p.txHash ? html`<br /><span class="mono">${p.txHash}</span>` : ''}` : p.method === 'wallet' ? 'Vaultwire wallet' : p.method === 'card' ? `card${p.card ? ` ${p.card.brand} ending ${p.card.last4}` : ''}` : 'test payment'}
                </td>
                <td class="num">${money(p.amount, o?.scale ?? 0, p.asset, true)}</td>
              </tr>`;
            })}
          </tbody>
        </table>
      </section>
      <p class="no-print"><a href="${v.checkout}">Back to the payment page</a></p>`,
    !inv.livemode,
  );
}

export function messagePage(frame: PageFrame, title: string, text: string): Html {
  return layout(
    frame,
    title,
    html`<section class="card" aria-labelledby="title">
      <h1 id="title">${title}</h1>
      <p>${text}</p>
    </section>`,
  );
}

export function paymentLinkPage(
  frame: PageFrame,
  v: { link: PaymentLink; merchantName: string; action: string; error?: string | undefined },
): Html {
  const { link } = v;
  return layout(
    frame,
    `Pay ${v.merchantName}`,
    html`<section class="card" aria-labelledby="title">
      <p class="muted">${v.merchantName}</p>
      <h1 id="title">${link.description ?? 'Payment'}</h1>
      <form method="post" action="${v.action}">
        ${
          link.amount !== null
            ? html`<p class="amount">${money(link.amount, link.currencyScale, link.currency)}</p>`
            : html`<label for="link-amount">Amount (${link.currency})</label>
                <input
                  id="link-amount"
                  name="amount"
                  inputmode="decimal"
                  autocomplete="off"
                  required${v.error ? raw(' aria-invalid="true" aria-describedby="link-error"') : ''}
                />`
        }
        ${v.error ? html`<p class="error" id="link-error" role="alert">${v.error}</p>` : ''}
        <p><button type="submit">Continue to payment</button></p>
      </form>
    </section>`,
    !link.livemode,
  );
}

export function posPage(
  frame: PageFrame,
  v: {
    terminal: PosTerminal;
    merchantName: string;
    action: string;
    scale: number;
    error?: string | undefined;
    /** The sale just keyed in: its QR code and live status on the same screen. */
    sale?: CheckoutView | undefined;
  },
): Html {
  const sale = v.sale;
  const final = sale ? isFinal(sale.status) : true;
  const step = v.scale > 0 ? `0.${'0'.repeat(v.scale - 1)}1` : '1';
  return layout(
    { ...frame, refreshSeconds: final ? undefined : frame.refreshSeconds },
    `${v.merchantName}: till`,
    html`<div data-events="${sale && !final ? sale.paths.events : ''}">
      <section class="card" aria-labelledby="title">
        <p class="muted">${v.merchantName} · ${v.terminal.name}</p>
        <h1 id="title">New sale</h1>
        <form method="post" action="${v.action}">
          <label for="pos-amount">Amount (${v.terminal.currency})</label>
          <input
            id="pos-amount"
            class="keypad-amount"
            name="amount"
            type="number"
            inputmode="decimal"
            min="0"
            step="${step}"
            autocomplete="off"
            required${v.error ? raw(' aria-invalid="true" aria-describedby="pos-error"') : ''}
          />
          <label for="pos-note">Note (optional)</label>
          <input id="pos-note" name="description" maxlength="200" autocomplete="off" />
          ${v.error ? html`<p class="error" id="pos-error" role="alert">${v.error}</p>` : ''}
          <p><button type="submit">Charge</button></p>
        </form>
      </section>
      ${
        sale
          ? html`<section class="card" aria-labelledby="sale-h">
              <h2 id="sale-h">
                Sale: ${money(sale.inv.amount, sale.inv.currencyScale, sale.inv.currency)}
              </h2>
              <div id="status-panel" role="status" aria-live="polite">
                ${statusPanel(sale.inv, sale.status, sale.paths)}
              </div>
              ${
                sale.chain && !final
                  ? html`<div data-while-open>
                      <div class="qr" role="img" aria-label="QR code of the payment request">
                        ${raw(sale.chain.qrSvg)}
                      </div>
                      <p class="amount">
                        ${money(remainingDue(sale.chain.option), sale.chain.option.scale, sale.chain.option.asset, true)}
                      </p>
                      <p class="mono" id="address">${sale.inv.address}</p>
                      <p>
                        Expires in
                        <time
                          id="countdown"
                          role="timer"
                          datetime="${sale.inv.expiresAt.toISOString()}"
                          >${remaining(sale.inv, sale.now)}</time
                        >
                      </p>
                    </div>`
                  : ''
              }
              <p><a href="${sale.paths.page}">Open the customer's payment page</a></p>
            </section>`
          : ''
      }
    </div>`,
    !v.terminal.livemode,
  );
}
