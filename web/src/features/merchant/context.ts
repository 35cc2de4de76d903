import { createVaultwireClient, type VaultwireClient } from '@vaultwire/client';
import { createContext, useContext } from 'react';
import type { Schema } from '../../api';

export type Mode = 'test' | 'live';

/**
 * The merchant API key the dashboard acts with, per merchant and mode. Invoices, refunds,
 * payouts and the merchant's webhooks answer only to a merchant key (`mk_test_…`,
 * `mk_live_…`), never to a person's session; the dashboard makes one when asked and keeps
 * it in this browser's storage, like the session token (the page's CSP keeps other
 * scripts out). Forgetting it here does not revoke it: the API keys page does.
 */
export const dashboardKeys = {
  get(merchant: string, mode: Mode): string | undefined {
    return localStorage.getItem(`vaultwire.merchant.${merchant}.${mode}`) ?? undefined;
  },
  set(merchant: string, mode: Mode, token: string): void {
    localStorage.setItem(`vaultwire.merchant.${merchant}.${mode}`, token);
  },
  forget(merchant: string, mode: Mode): void {
    localStorage.removeItem(`vaultwire.merchant.${merchant}.${mode}`);
  },
  mode(merchant: string): Mode {
    return localStorage.getItem(`vaultwire.merchant.${merchant}.mode`) === 'live' ? 'live' : 'test';
  },
  setMode(merchant: string, mode: Mode): void {
    localStorage.setItem(`vaultwire.merchant.${merchant}.mode`, mode);
  },
};

export function merchantClient(token: string): VaultwireClient {
  return createVaultwireClient({ token });
}

export interface MerchantScope {
  merchant: Schema<'Merchant'>;
  mode: Mode;
  /** The client holding this mode's merchant key; undefined until one is connected. */
  client: VaultwireClient | undefined;
  /** Query keys of this merchant and mode, so switching mode never shows the other's data. */
  key: (...parts: unknown[]) => unknown[];
}

export const MerchantContext = createContext<MerchantScope | undefined>(undefined);

export function useMerchant(): MerchantScope {
  const scope = useContext(MerchantContext);
  if (!scope) throw new Error('useMerchant outside a merchant page');
  return scope;
}

/** The merchant-key client, for pages shown only once a key is connected. */
export function useMerchantClient(): MerchantScope & { client: VaultwireClient } {
  const scope = useMerchant();
  if (!scope.client) throw new Error('no merchant key connected');
  return scope as MerchantScope & { client: VaultwireClient };
}
