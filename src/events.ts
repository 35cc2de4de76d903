import { CHAIN_EVENT_REGISTRY } from './chains/events.js';
import { createEventCatalog, type EventCatalog } from './platform/events/registry.js';
import { WALLET_EVENT_REGISTRY } from './wallet/events.js';
import { WEBHOOK_EVENT_REGISTRY } from './webhooks/events.js';

/** Every module's event registry: a module that publishes events adds its registry here. */
export const EVENT_REGISTRIES = [
  WALLET_EVENT_REGISTRY,
  CHAIN_EVENT_REGISTRY,
  WEBHOOK_EVENT_REGISTRY,
];

/** The combined catalogue (the outbox, webhooks and the docs read this one). */
export function platformEvents(): EventCatalog {
  return createEventCatalog(EVENT_REGISTRIES);
}
