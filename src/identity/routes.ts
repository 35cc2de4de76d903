import type { HttpApp } from '../platform/http/app.js';
import { registerApiKeyRoutes } from './routes/api-keys.js';
import { routeKit, type IdentityRouteDeps } from './routes/common.js';
import { registerMeRoutes } from './routes/me.js';
import { registerSessionRoutes } from './routes/sessions.js';
import { registerTotpRoutes } from './routes/totp.js';
import { registerUserRoutes } from './routes/users.js';

export type { IdentityRouteDeps } from './routes/common.js';

/**
 * Registers the /v1 identity routes: users, sessions, the caller, API keys, TOTP. One
 * file per resource under `routes/`; the order here is the order of the published API
 * reference.
 */
export function registerIdentityRoutes(app: HttpApp, deps: IdentityRouteDeps): void {
  const kit = routeKit(deps);
  registerUserRoutes(app, kit);
  registerSessionRoutes(app, kit);
  registerMeRoutes(app, kit);
  registerTotpRoutes(app, kit);
  registerApiKeyRoutes(app, kit);
}
