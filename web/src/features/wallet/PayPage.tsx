import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { api, formatAmount, unwrap, type Schema } from '../../api';
import { Page } from '../../components/Layout';
import { Empty, LoadError, Loading } from '../../components/States';
import { Field, FormError, Submit, useApiForm } from '../../components/form';
import { balancesQuery } from './queries';

/** Pay a friend by @handle or email, from a balance; instant, inside the ledger. */
export function PayPage() {
  const wallet = useQuery(balancesQuery);
  const [sent, setSent] = useState<Schema<'Payment'> & { to_label: string }>();
  if (sent) {
    return (
      <Page title="Payment sent">
        <div className="card success" role="status">
          <p className="big">{formatAmount(sent.amount, sent.asset)}</p>
          <p>
            to {sent.to_label}
            {sent.note ? ` · “${sent.note}”` : ''}
          </p>
        </div>
        <div className="actions">
          <button
            type="button"
            className="button"
            onClick={() => {
              setSent(undefined);
            }}
          >
            Pay someone else
          </button>
          <Link to="/history" className="button secondary">
            See history
          </Link>
        </div>
      </Page>
    );
  }
  return (
    <Page title="Pay a friend">
      {wallet.isPending ? (
        <Loading />
      ) : wallet.isError ? (
        <LoadError error={wallet.error} retry={() => void wallet.refetch()} />
      ) : wallet.data.length === 0 ? (
        <Empty title="Nothing to pay with yet">
          <p>
            <Link to="/add-money">Add money</Link> first.
          </p>
        </Empty>
      ) : (
        <PayForm balances={wallet.data} onSent={setSent} />
      )}
    </Page>
  );
}

function PayForm({
  balances,
  onSent,
}: {
  balances: Schema<'Balance'>[];
  onSent: (p: Schema<'Payment'> & { to_label: string }) => void;
}) {
  const queryClient = useQueryClient();
  const form = useApiForm(
    'createPayment',
    {
      to: '',
      asset: (balances.find((b) => !/^0(\.0+)?$/.test(b.available)) ?? balances[0])?.asset ?? '',
      amount: '',
      note: '',
    },
    async (v) => {
      const payment = unwrap(
        await api.POST('/v1/payments', {
          body: {
            to: v.to.trim(),
            asset: v.asset,
            amount: v.amount.trim(),
            ...(v.note ? { note: v.note } : {}),
          },
        }),
      );
      await queryClient.invalidateQueries({ queryKey: ['wallet'] });
      await queryClient.invalidateQueries({ queryKey: ['history'] });
      onSent({ ...payment, to_label: v.to.trim() });
    },
  );
  const balance = balances.find((b) => b.asset === form.values.asset);
  return (
    <form onSubmit={form.onSubmit} noValidate className="card">
      <FormError message={form.formError} />
      <Field form={form} name="to" label="To" hint="@handle or email address" autoComplete="off" />
      <Field form={form} name="asset" label="From balance">
        {balances.map((b) => (
          <option key={b.asset} value={b.asset}>
            {b.asset} — {formatAmount(b.available, b.asset)} available
          </option>
        ))}
      </Field>
      <Field
        form={form}
        name="amount"
        label="Amount"
        inputMode="decimal"
        autoComplete="off"
        hint={balance ? `You have ${formatAmount(balance.available, balance.asset)}` : undefined}
      />
      <Field form={form} name="note" label="Note (optional)" autoComplete="off" />
      <Submit busy={form.submitting}>Send</Submit>
    </form>
  );
}
