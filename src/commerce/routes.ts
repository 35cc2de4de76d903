import type { HttpApp } from '../platform/http/app.js';
import type { CommerceService } from './service.js';

/** Registers the /v1 commerce routes (one file per resource in routes/). */
export function registerCommerceRoutes(_app: HttpApp, _deps: { commerce: CommerceService }): void {}
