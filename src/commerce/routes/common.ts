import type { Context } from 'hono';
import type { AppEnv } from '../../platform/http/context.js';
import type { CartAccess } from '../orders.js';
import { CART_SECRET_HEADER } from '../schemas.js';

/** Who acts on a cart or order: the caller's user (if any) and the guest's cart secret. */
export function accessOf(c: Context<AppEnv>): CartAccess {
  const p = c.get('principal');
  const secret = c.req.header(CART_SECRET_HEADER);
  return {
    ...(p.kind === 'user' ? { userId: p.userId } : {}),
    ...(secret !== undefined ? { secret } : {}),
  };
}
