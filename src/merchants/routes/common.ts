import type { Context } from 'hono';
import type { AppEnv } from '../../platform/http/context.js';
import { requireUser } from '../../platform/http/route-helpers.js';
import { MerchantError, merchantApiError } from '../errors.js';
import type { Actor, MerchantAccount } from '../model.js';
import type { MerchantsService } from '../service.js';

/** The caller as the audit log records them. */
export function actorOf(c: Context<AppEnv>): Actor {
  const p = requireUser(c);
  return {
    userId: p.userId,
    credentialId: p.credentialId,
    ip: c.get('clientIp'),
    requestId: c.get('requestId'),
  };
}

/** Routes members call with their own session or API key (any platform role). */
export const MEMBER_READ = {
  roles: ['user', 'merchant', 'operator', 'admin'],
  scope: 'merchants:read',
} as const;
export const MEMBER_WRITE = {
  roles: ['user', 'merchant', 'operator', 'admin'],
  scope: 'merchants:write',
} as const;

/** The merchant account (one mode of one merchant) a merchant API key acts for. */
export async function accountOf(
  c: Context<AppEnv>,
  merchants: Pick<MerchantsService, 'directory'>,
): Promise<MerchantAccount> {
  const account = await merchants.directory.account(requireUser(c).userId);
  if (!account) throw merchantApiError(MerchantError.MerchantKeyRequired);
  return account;
}

/** Routes a merchant API key calls. */
export const keyAccess = (scope: string) => ({ roles: ['merchant'] as const, scope });

/** An anonymous caller (a payer on a link), as the audit log records them. */
export function payerOf(c: Context<AppEnv>): { ip?: string | undefined; requestId?: string } {
  return { ip: c.get('clientIp'), requestId: c.get('requestId') };
}
