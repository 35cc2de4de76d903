import { useQueries, useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api, formatAmount, unwrap, type Schema } from '../../api';
import { assetsQuery } from './queries';

const KEY = 'vaultwire.display_currency';

const isZero = (amount: string) => /^0(\.0+)?$/.test(amount);

/** Adds decimal strings exactly (bigint at the widest scale), for a total shown to a person. */
export function addDecimals(values: string[]): string {
  const scale = Math.max(0, ...values.map((v) => v.split('.')[1]?.length ?? 0));
  const sum = values.reduce((acc, v) => {
    const negative = v.startsWith('-');
    const [whole = '0', fraction = ''] = v.replace(/^[-+]/, '').split('.');
    const units = BigInt(whole + fraction.padEnd(scale, '0'));
    return acc + (negative ? -units : units);
  }, 0n);
  const negative = sum < 0n;
  const digits = (negative ? -sum : sum).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale ? `.${digits.slice(digits.length - scale)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/**
 * The wallet's total in a currency the person picks: every other balance valued at what
 * selling it now would pay (a quote's `receive_amount`, fee and spread included), so the
 * figure is money they could have, not a mid-market estimate. No currency picked, no quotes.
 */
export function DisplayTotal({ balances }: { balances: Schema<'Balance'>[] }) {
  const id = useId();
  const assets = useQuery(assetsQuery);
  const [currency, setCurrency] = useState(() => localStorage.getItem(KEY) ?? '');
  const held = balances.filter((b) => !isZero(b.available));
  const valued = useQueries({
    queries: held
      .filter((b) => currency && b.asset !== currency)
      .map((b) => ({
        queryKey: ['valuation', b.asset, b.available, currency],
        staleTime: 60_000,
        retry: false,
        queryFn: async () =>
          unwrap(
            await api.POST('/v1/quotes', {
              body: { from: b.asset, to: currency, spend_amount: b.available },
            }),
          ).receive_amount,
      })),
  });
  const fiat = (assets.data ?? []).filter((a) => a.kind === 'fiat');
  const own = held.find((b) => b.asset === currency)?.available;
  const pending = valued.some((q) => q.isPending);
  const failed = valued.filter((q) => q.isError).length;
  const parts = [...(own ? [own] : []), ...valued.flatMap((q) => (q.data ? [q.data] : []))];
  return (
    <div className="card">
      <label htmlFor={id} className="row-title">
        Show my total in
      </label>
      <select
        id={id}
        value={currency}
        onChange={(e) => {
          setCurrency(e.target.value);
          if (e.target.value) localStorage.setItem(KEY, e.target.value);
          else localStorage.removeItem(KEY);
        }}
      >
        <option value="">Each balance in its own currency</option>
        {fiat.map((a) => (
          <option key={a.code} value={a.code}>
            {a.code} · {a.name}
          </option>
        ))}
      </select>
      {currency && (
        <p className="total" aria-live="polite">
          {pending
            ? 'Pricing your balances…'
            : `Total ≈ ${formatAmount(addDecimals(parts.length ? parts : ['0']), currency)}`}
        </p>
      )}
      {currency && !pending && (
        <p className="hint">
          What selling every balance now would pay, fee included
          {failed
            ? `; ${failed} balance${failed > 1 ? 's' : ''} could not be priced and are left out`
            : ''}
          .
        </p>
      )}
    </div>
  );
}
