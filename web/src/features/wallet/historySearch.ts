// The history page's search parameters: in the first chunk (the router validates them), the page itself is loaded on demand.
export const TYPES = ['payment', 'trade', 'fiat_deposit', 'fiat_withdrawal', 'adjustment'] as const;
export type ActivityType = (typeof TYPES)[number];
/** The history's filters, kept in the URL so a filtered view is a link. */
export interface HistorySearch {
  asset?: string;
  type?: ActivityType;
  from?: string;
  to?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function parseHistorySearch(search: Record<string, unknown>): HistorySearch {
  const out: HistorySearch = {};
  const { asset, type, from, to } = search;
  if (typeof asset === 'string' && /^[A-Za-z0-9]{1,16}$/.test(asset)) out.asset = asset;
  if (typeof type === 'string' && (TYPES as readonly string[]).includes(type))
    out.type = type as ActivityType;
  if (typeof from === 'string' && DATE.test(from)) out.from = from;
  if (typeof to === 'string' && DATE.test(to)) out.to = to;
  return out;
}
