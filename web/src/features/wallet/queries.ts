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
