import { isFailure } from '../platform/failure.js';
import { MerchantError } from '../merchants/errors.js';
import type { MerchantDirectory } from '../merchants/merchants.js';

/**
 * How far a caller may act on a merchant's campaigns: `manage` (create, pause, add and
 * generate codes), `view` (read them, their codes and analytics), `none` (not theirs: it
 * answers as if it did not exist), or `totp_required` (an owner or admin without a second
 * factor, whom the merchants module lets do nothing yet).
 */
export type Standing = 'manage' | 'view' | 'none' | 'totp_required';

/** The seam between campaigns and the merchants module (its directory's interface only). */
export interface MerchantAccess {
  standing(principalId: string, merchantId: string): Promise<Standing>;
  /** The merchants whose campaigns the caller may read: a key's own, a user's memberships. */
  merchantsOf(principalId: string): Promise<string[]>;
  /** The merchant a merchant API key acts for (the key's principal id is its account). */
  keyMerchant(principalId: string): Promise<string | undefined>;
}

/** Member roles that run campaigns; the others (support, viewer) read them. */
export const CAMPAIGN_MANAGER_ROLES: readonly string[] = ['owner', 'admin', 'developer'];

/**
 * Members act by their role; a merchant API key acts for its own merchant, and only a
 * live key manages: a test key moves no real money, and a campaign discounts real orders.
 */
export function merchantAccess(
  directory: Pick<MerchantDirectory, 'getForMember' | 'listForMember' | 'account'>,
): MerchantAccess {
  // A merchant key's principal is its merchant account (`mca_…`); a user's is `usr_…`.
  const keyAccount = (principalId: string) =>
    principalId.startsWith('mca_') ? directory.account(principalId) : Promise.resolve(undefined);
  const access: MerchantAccess = {
    async standing(principalId, merchantId) {
      const account = await keyAccount(principalId);
      if (account) {
        if (account.merchantId !== merchantId) return 'none';
        return account.livemode ? 'manage' : 'view';
      }
      const member = await directory.getForMember(principalId, merchantId);
      if (isFailure(member)) {
        return member.code === MerchantError.TotpRequired ? 'totp_required' : 'none';
      }
      return CAMPAIGN_MANAGER_ROLES.includes(member.role) ? 'manage' : 'view';
    },
    async merchantsOf(principalId) {
      const account = await keyAccount(principalId);
      if (account) return [account.merchantId];
      const out: string[] = [];
      for (const { merchant } of await directory.listForMember(principalId)) {
        const s = await access.standing(principalId, merchant.id);
        if (s === 'manage' || s === 'view') out.push(merchant.id);
      }
      return out;
    },
    async keyMerchant(principalId) {
      return (await keyAccount(principalId))?.merchantId;
    },
  };
  return access;
}
