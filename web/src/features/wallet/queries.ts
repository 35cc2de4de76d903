import { api, unwrap } from '../../api';

export const walletQuery = {
  queryKey: ['wallet'],
  queryFn: async () => unwrap(await api.GET('/v1/wallet')),
};

export const assetsQuery = {
  queryKey: ['assets'],
  queryFn: async () => unwrap(await api.GET('/v1/assets')).data,
  staleTime: 5 * 60_000,
};

/** Balances of every asset the person holds (`GET /v1/wallet` carries only the profile). */
export const balancesQuery = {
  queryKey: ['wallet', 'balances'],
  queryFn: async () => unwrap(await api.GET('/v1/wallet/balances')).data,
};
