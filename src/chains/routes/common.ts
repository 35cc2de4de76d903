import type { UserPrincipal } from '../../platform/http/route-helpers.js';

export const STAFF = ['operator', 'admin'] as const;

/** Operators and admins see every user's deposits and withdrawals and the chains' internals. */
export const isStaff = (p: UserPrincipal) => p.role === 'operator' || p.role === 'admin';
