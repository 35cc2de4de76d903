// The registry is the platform's (every module declares scopes); identity keeps its names.
export {
  createScopeRegistry,
  WILDCARD_SCOPE,
  type ScopeRegistry,
} from '../platform/http/scopes.js';

/** Scopes of the identity module's own routes. */
export const IDENTITY_SCOPES = {
  'profile:read': 'Read your own user profile',
  'profile:write': 'Change your own profile',
  'keys:read': 'List your API keys',
  'keys:write': 'Create and revoke your API keys',
  'users:read': 'List users (operators and admins)',
  'users:write': 'Change user roles (admins)',
  'audit:read': 'Read the audit log (admins)',
  'jobs:read': 'Read job queues, dead jobs and the outbox backlog (operators)',
  'jobs:write': 'Retry dead jobs (operators)',
} as const satisfies Record<string, string>;
