import { fail, isFailure } from '../../platform/failure.js';
import { MerchantError, type MerchantFailure } from '../errors.js';
import type { Invoice, InvoicePayment, InvoiceService } from '../invoices.js';
import type { CardFailure, CardProcessor, CardTokenizer } from './processor.js';

/**
 * Card payments of invoices. The payer's browser posts the card to the processor's
 * tokenizer and comes back with a single-use token; `pay` then runs three steps, with
 * the processor's calls between the database transactions (never inside one):
 *
 * 1. `invoices.beginCardPayment`: a pending payment of what is due, or of the part of it
 *    the payer chose, keyed by the token (holds the amount against other payments; the
 *    invoice shows `processing`);
 * 2. the processor authorizes the token's card for that amount, then captures it, each
 *    call under an idempotency key derived from the payment id. An issuer may approve
 *    less than asked (a prepaid card with less on it): only the approved part is captured;
 * 3. `invoices.confirmCardPayment` books what the processor captured in the ledger (the
 *    processor's clearing account debited, the merchant credited net of fees) once; or,
 *    when the card is refused, `failCardPayment` (an authorization that cannot be
 *    captured is released).
 *
 * A card paying less than is due is a partial payment like any other: the invoice keeps
 * the rest due (open, or `underpaid` at expiry) for another card, a wallet or the chain.
 * A card is never charged more than is due: an `amount` above it is refused before the
 * processor is asked (unlike a transfer on chain, a card charge is ours to size).
 *
 * If the process stops between the steps, or the processor cannot be reached, the
 * payment stays pending and `resumeStale` (the maintenance pass) drives it again: the
 * idempotency keys make the processor answer the calls already made, never charge twice.
 */
export interface CardPayments {
  /** Where the mode's card form posts (undefined: no card payments in that mode). */
  tokenizer(livemode: boolean): CardTokenizer | undefined;
  /** Whether the invoice can be offered the card form (its mode and currency). */
  accepts(invoice: Pick<Invoice, 'livemode' | 'currency' | 'options'>): boolean;
  /**
   * Pays the invoice with the card behind `token`, in its pricing currency: what is due,
   * or `amount` of it (a decimal string; above what is due is refused).
   */
  pay(
    invoiceId: string,
    livemode: boolean,
    token: string,
    amount?: string,
  ): Promise<Invoice | MerchantFailure>;
  /** Drives card payments pending for over `olderThanMs` to their end; returns how many. */
  resumeStale(olderThanMs?: number): Promise<number>;
}

export function createCardPayments(deps: {
  invoices: Pick<
    InvoiceService,
    'beginCardPayment' | 'confirmCardPayment' | 'failCardPayment' | 'pendingCardPayments'
  >;
  processors: { live?: CardProcessor | undefined; test?: CardProcessor | undefined };
  currencies: readonly string[];
  clock: () => Date;
}): CardPayments {
  const processorFor = (livemode: boolean) =>
    livemode ? deps.processors.live : deps.processors.test;

  const refused = (r: CardFailure): MerchantFailure =>
    r.code === 'processor_unavailable'
      ? fail(MerchantError.CardProcessorUnavailable)
      : r.code === 'token_invalid'
        ? fail(MerchantError.CardTokenInvalid)
        : // The processor's own words stay with it; the code says what the payer can do.
          fail(MerchantError.CardDeclined, { message: `Declined: ${r.code}` });

  /** Steps 2 and 3 for a pending payment. */
  const drive = async (
    processor: CardProcessor,
    invoiceId: string,
    payment: InvoicePayment,
    token: string,
  ): Promise<Invoice | MerchantFailure> => {
    const auth = await processor.authorize({
      token,
      amount: payment.amount,
      currency: payment.asset,
      idempotencyKey: payment.id,
      description: `Invoice ${invoiceId}`,
    });
    if (isFailure(auth)) {
      if (auth.code !== 'processor_unavailable') {
        await deps.invoices.failCardPayment(payment.id, auth.code);
      }
      return refused(auth);
    }
    // A partial authorization: take what the issuer approved and leave the rest due. An
    // approval above what was asked is never taken beyond it.
    const take = auth.amount < payment.amount ? auth.amount : payment.amount;
    const captured = await processor.capture(
      auth.id,
      `${payment.id}:capture`,
      take < auth.amount ? take : undefined,
    );
    if (isFailure(captured)) {
      if (captured.code === 'processor_unavailable') return refused(captured);
      // Not captured: release the hold on the payer's card before giving up.
      const released = await processor.refund({
        chargeId: auth.id,
        idempotencyKey: `${payment.id}:release`,
      });
      if (isFailure(released) && released.code === 'processor_unavailable') {
        return refused(released);
      }
      await deps.invoices.failCardPayment(payment.id, captured.code, auth.id);
      return refused(captured);
    }
    return deps.invoices.confirmCardPayment(payment.id, {
      id: auth.id,
      brand: auth.brand,
      last4: auth.last4,
      // What the processor took is what the clearing account is owed, whatever was asked.
      amountCaptured: captured.amountCaptured,
    });
  };

  return {
    tokenizer: (livemode) => processorFor(livemode)?.tokenizer,

    accepts: (inv) =>
      processorFor(inv.livemode) !== undefined &&
      deps.currencies.includes(inv.currency) &&
      inv.options.some((o) => o.asset === inv.currency),

    async pay(invoiceId, livemode, token, amount) {
      const processor = processorFor(livemode);
      if (!processor) return fail(MerchantError.CardPaymentsUnavailable);
      const begun = await deps.invoices.beginCardPayment(invoiceId, livemode, token, amount);
      if (isFailure(begun)) return begun;
      const { payment } = begun;
      // The same token again (a reload of the processor's redirect): its payment's end.
      if (payment.status === 'confirmed') return begun.invoice;
      if (payment.status === 'failed') {
        return fail(MerchantError.CardDeclined, {
          message: `Declined: ${payment.failureCode ?? 'card_declined'}`,
        });
      }
      return drive(processor, invoiceId, payment, token);
    },

    async resumeStale(olderThanMs = 60_000) {
      const stale = await deps.invoices.pendingCardPayments(
        new Date(deps.clock().getTime() - olderThanMs),
        50,
      );
      let n = 0;
      for (const s of stale) {
        const processor = processorFor(s.livemode);
        if (!processor) continue;
        const r = await drive(processor, s.payment.invoiceId, s.payment, s.token);
        if (!isFailure(r) || r.code !== MerchantError.CardProcessorUnavailable) n++;
      }
      return n;
    },
  };
}
