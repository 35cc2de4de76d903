import type { HttpApp } from '../platform/http/app.js';
import { registerCartRoutes } from './routes/carts.js';
import { registerStoreRoutes } from './routes/stores.js';
import type { CommerceService } from './service.js';

/** Registers the /v1 commerce routes: stores and catalog, then carts and orders. */
export function registerCommerceRoutes(app: HttpApp, deps: { commerce: CommerceService }): void {
  registerStoreRoutes(app, deps.commerce);
  registerCartRoutes(app, deps.commerce);
}
