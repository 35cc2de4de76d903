import { defineEvents, ownersFrom } from '../platform/events/registry.js';

/**
 * The commerce module's domain events, each written in the transaction of the change it
 * describes. The payload is the order as the API returns it (src/commerce/json.ts); it
 * goes to the webhook endpoints of the store's merchant (its live account) and of the buyer.
 */
export const COMMERCE_EVENTS = {
  'commerce.order.created':
    'A cart was checked out: the order is pending and its units (and coupon) reserved',
  'commerce.order.paid': 'The order was paid; its units left stock',
  'commerce.order.fulfilled': 'The merchant fulfilled the order',
  'commerce.order.cancelled':
    'The order was cancelled or its reservation expired; units and coupon were released',
  'commerce.order.refunded': 'The merchant refunded the order; its coupon use was given back',
} as const;

export type CommerceEventType = keyof typeof COMMERCE_EVENTS;

export const COMMERCE_EVENT_REGISTRY = defineEvents(
  'commerce',
  (Object.keys(COMMERCE_EVENTS) as CommerceEventType[]).map((type) => ({
    type,
    description: COMMERCE_EVENTS[type],
    payload: 'order',
    owners: ownersFrom('merchant_account_id', 'buyer_id'),
    visibility: 'public' as const,
  })),
);
