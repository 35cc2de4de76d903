import type { UserRole } from '../../platform/http/access.js';

/** Producers sign with an operator's API key; people manage them as operators or admins. */
export const PRODUCER_ROLES: readonly UserRole[] = ['operator', 'admin'];
