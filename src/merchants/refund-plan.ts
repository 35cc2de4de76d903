/** A confirmed payment a refund may come from, with what is left of it to refund. */
export interface RefundSource {
  id: string;
  /** Whose wallet paid it (null: received on chain or by card). */
  payerOwner: string | null;
  method: string;
  left: bigint;
}

export interface RefundPart {
  source: RefundSource;
  amount: bigint;
}

/**
 * Where a refund of `amount` comes from, or undefined when the sources together have
 * less left. The order is fixed: payments from a wallet first (refunded at once), then
 * card payments (through the processor), then payments received on chain (to an address
 * the payer gives), the oldest first within each (payment ids sort by time). One payment
 * that can cover the whole amount is taken alone (the first in that order); otherwise the
 * amount is split across the sources in that order, each giving all it has left until the
 * rest fits, so the fewest sources run dry first.
 */
export function planRefund(
  sources: readonly RefundSource[],
  amount: bigint,
): RefundPart[] | undefined {
  const rank = (s: RefundSource) => (s.payerOwner !== null ? 0 : s.method === 'chain' ? 2 : 1);
  const ordered = sources
    .filter((s) => s.left > 0n)
    .sort((a, b) => rank(a) - rank(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const whole = ordered.find((s) => s.left >= amount);
  if (whole) return [{ source: whole, amount }];
  const parts: RefundPart[] = [];
  let rest = amount;
  for (const source of ordered) {
    if (rest === 0n) break;
    const take = source.left < rest ? source.left : rest;
    parts.push({ source, amount: take });
    rest -= take;
  }
  return rest === 0n ? parts : undefined;
}
