import { defineEvents, ownersFrom } from '../platform/events/registry.js';

const account = ownersFrom('account_id');

const INVOICE_EVENTS: [string, string][] = [
  ['invoice.created', 'An invoice was created; its rates are locked until it expires'],
  ['invoice.processing', 'A payment was seen on chain; it waits for its confirmations'],
  ['invoice.payment_confirmed', 'A payment to the invoice was confirmed and booked'],
  ['invoice.paid', 'The invoice is paid in full'],
  ['invoice.overpaid', 'The invoice received more than its amount'],
  ['invoice.paid_late', 'The invoice was paid in full by a payment first seen after it expired'],
  ['invoice.underpaid', 'The invoice expired with only part of its amount paid'],
  ['invoice.expired', 'The invoice expired unpaid'],
  [
    'invoice.reopened',
    'A payment waiting for confirmations was reorged out; the invoice is open again',
  ],
];

const REFUND_EVENTS: [string, string][] = [
  [
    'refund.succeeded',
    'A refund reached the payer: their wallet was credited, the card processor refunded their card, or the withdrawal to their address confirmed',
  ],
  [
    'refund.pending_destination',
    'A refund of a payment received on chain waits for the payer to give an address through its link',
  ],
  [
    'refund.processing',
    'A card refund was booked and goes to the card processor, or the payer gave an address and the refund is being sent on chain',
  ],
  [
    'refund.failed',
    'The card processor refused a card refund (its booking reversed), or the withdrawal sending a refund failed or was rejected; the amount may be refunded again',
  ],
  ['refund.canceled', 'The merchant canceled a refund that waited for its destination'],
];

const PAYOUT_EVENTS: [string, string][] = [
  [
    'payout.created',
    'A bank payout was created and its amount taken from the balance (status in_transit, or pending_approval above the approval limit)',
  ],
  [
    'payout.approved',
    'An operator approved a payout that waited for approval; it goes to the rail',
  ],
  ['payout.rejected', 'An operator rejected a payout; its amount is back in the balance'],
  ['payout.canceled', 'The merchant canceled a payout waiting for approval; its amount is back'],
  ['payout.paid', 'The payout rail paid the payout to the bank account'],
  [
    'payout.failed',
    'The payout rail refused or failed the payout; its amount is back in the balance',
  ],
  [
    'payout.stuck',
    'The payout is still in transit after every attempt to follow it at the rail; nothing was booked, an operator must look (the payout job is dead-lettered and can be requeued)',
  ],
];

/**
 * The merchants module's events. They belong to the merchant account (one mode of one
 * merchant, `account_id`): its webhook endpoints, registered with its API key, get them.
 */
export const MERCHANT_EVENT_REGISTRY = defineEvents('merchants', [
  ...INVOICE_EVENTS.map(([type, description]) => ({
    type,
    description,
    payload:
      'invoice summary (id, account_id, merchant_id, livemode, status, currency, amount, paid_value, order_id)',
    owners: account,
    visibility: 'public' as const,
  })),
  ...REFUND_EVENTS.map(([type, description]) => ({
    type,
    description,
    payload:
      'refund (id, account_id, merchant_id, livemode, invoice_id, payment_id, asset, amount, status, destination_address, withdrawal_id, failure_reason, split_id)',
    owners: account,
    visibility: 'public' as const,
  })),
  ...PAYOUT_EVENTS.map(([type, description]) => ({
    type,
    description,
    payload:
      'bank payout (id, object, method, account_id, merchant_id, livemode, asset, amount, status, scheduled, approved_by, failure_reason)',
    owners: account,
    visibility: 'public' as const,
  })),
]);
