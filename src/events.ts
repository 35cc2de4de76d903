import { eventCatalogOf } from './platform/modules/compose.js';
import type { EventCatalog } from './platform/events/registry.js';
import { MODULES } from './modules.js';

/** Every module's event registry, as the modules' descriptors declare them. */
export const EVENT_REGISTRIES = MODULES.eventRegistries;

/** The combined catalogue (the outbox, webhooks and the docs read this one). */
export function platformEvents(): EventCatalog {
  return eventCatalogOf(MODULES);
}
