import type { HttpApp } from '../platform/http/app.js';
import { registerDeliveryRoutes } from './routes/deliveries.js';
import { registerEndpointActionRoutes } from './routes/endpoint-actions.js';
import { registerEndpointRoutes } from './routes/endpoints.js';
import { registerEventTypeRoutes } from './routes/event-types.js';
import { registerSubscriptionRoutes } from './routes/subscriptions.js';
import { registerWatchListRoutes } from './routes/watch-lists.js';
import type { WebhooksService } from './service.js';

/**
 * Registers /v1 webhook routes: the event type catalogue, endpoints, delivery logs,
 * replay and recovery, and subscriptions (one file per resource in routes/). The order
 * is the order of the OpenAPI document.
 */
export function registerWebhookRoutes(app: HttpApp, deps: { webhooks: WebhooksService }): void {
  registerEventTypeRoutes(app, deps.webhooks);
  registerEndpointRoutes(app, deps.webhooks);
  registerEndpointActionRoutes(app, deps.webhooks);
  registerDeliveryRoutes(app, deps.webhooks);
  registerSubscriptionRoutes(app, deps.webhooks);
  registerWatchListRoutes(app, deps.webhooks);
}
