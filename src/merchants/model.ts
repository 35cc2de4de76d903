/** Roles of a member in a merchant, most powerful first. */
export const MEMBER_ROLES = ['owner', 'admin', 'developer', 'support', 'viewer'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

/** Scopes a merchant API key may carry (all of them by default). */
export const MERCHANT_KEY_SCOPES = [
  'invoices:read',
  'invoices:write',
  'refunds:read',
  'refunds:write',
  'merchant_balance:read',
  'payouts:read',
  'payouts:write',
  'webhooks:read',
  'webhooks:write',
  'campaigns:read',
  'campaigns:write',
] as const;

export type Mode = 'live' | 'test';

export interface FeeSettings {
  /** Basis points of each payment (250 = 2.5%). */
  bps: number;
  /** Fixed part per pricing currency, as decimal strings (`{ "USD": "0.30" }`). */
  fixed: Record<string, string>;
}

export interface Merchant {
  id: string;
  name: string;
  liveAccountId: string;
  testAccountId: string;
  fees: FeeSettings;
  createdAt: Date;
}

export interface Member {
  merchantId: string;
  userId: string;
  role: MemberRole;
  createdAt: Date;
}

export interface MerchantApiKey {
  id: string;
  merchantId: string;
  accountId: string;
  livemode: boolean;
  name: string;
  /** The last characters of the token, to recognise it. */
  hint: string;
  scopes: string[];
  createdBy: string;
  createdAt: Date;
  revokedAt: Date | null;
}

/**
 * A merchant in one mode: every invoice, refund, balance and webhook endpoint belongs to
 * exactly one account, which is what keeps test and live apart.
 */
export interface MerchantAccount {
  /** `mca_…`: the owner of the ledger balances and of the webhook endpoints. */
  id: string;
  merchantId: string;
  livemode: boolean;
}

/** Who acts, for the audit log. */
export interface Actor {
  userId: string;
  credentialId?: string;
  ip?: string;
  requestId?: string;
}
